# Import by namespace/name.
terraform import envoygateway_backend.example default/api
