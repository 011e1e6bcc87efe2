# Import by namespace/name.
terraform import envoygateway_http_route.example default/web
