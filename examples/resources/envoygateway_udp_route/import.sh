# Import by namespace/name.
terraform import envoygateway_udp_route.example default/dns
