# Import by namespace/name.
terraform import envoygateway_tls_route.example default/passthrough
