# Import by namespace/name.
terraform import envoygateway_reference_grant.example apps/from-default
