# Cluster-scoped: import by name.
terraform import envoygateway_gateway_class.example eg
