# Cluster-scoped: import by name.
terraform import envoygateway_envoy_fleet.example edge
