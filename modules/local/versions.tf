terraform {
  # terraform_data is built in since 1.4; this module needs no provider.
  required_version = ">= 1.4"
}
