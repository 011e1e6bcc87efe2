# Import by namespace/name.
terraform import envoygateway_gateway.example default/edge
