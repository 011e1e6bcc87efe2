# Import by namespace/name.
terraform import envoygateway_grpc_route.example default/echo
