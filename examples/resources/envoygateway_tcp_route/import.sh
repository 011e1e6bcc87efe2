# Import by namespace/name.
terraform import envoygateway_tcp_route.example default/db
