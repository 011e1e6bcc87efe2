locals {
  # Azure has tags only: the Gateways' annotations become tags too. Tag
  # names may not hold < > % & \ ? /: those become "_".
  tags = { for k, v in merge(var.infrastructure.annotations, var.infrastructure.labels) :
    replace(k, "/[<>%&\\\\?/]/", "_") => v
  }
}

resource "azurerm_public_ip" "fleet" {
  name                = "${var.name}-ip"
  resource_group_name = var.resource_group_name
  location            = var.location
  allocation_method   = "Static"
  sku                 = "Standard"
  tags                = local.tags
}

resource "azurerm_lb" "fleet" {
  name                = "${var.name}-lb"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "Standard"
  tags                = local.tags
  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.fleet.id
  }
}

resource "azurerm_lb_backend_address_pool" "fleet" {
  name            = "proxies"
  loadbalancer_id = azurerm_lb.fleet.id
}

resource "azurerm_lb_rule" "port" {
  for_each                       = toset([for p in var.ports : tostring(p)])
  name                           = "port-${each.value}"
  loadbalancer_id                = azurerm_lb.fleet.id
  protocol                       = "Tcp"
  frontend_port                  = tonumber(each.value)
  backend_port                   = tonumber(each.value)
  frontend_ip_configuration_name = "public"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.fleet.id]
}

resource "azurerm_linux_virtual_machine_scale_set" "fleet" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = var.vm_size
  instances           = var.replicas
  admin_username      = "envoy"
  tags                = local.tags
  custom_data = base64encode(templatefile("${path.module}/custom-data.sh.tftpl", {
    bootstrap     = var.envoy_bootstrap
    envoy_version = var.envoy_version
    node_prefix   = var.name
  }))
  admin_ssh_key {
    username   = "envoy"
    public_key = var.admin_ssh_public_key
  }
  source_image_reference {
    publisher = "Debian"
    offer     = "debian-12"
    sku       = "12"
    version   = "latest"
  }
  os_disk {
    storage_account_type = "Standard_LRS"
    caching              = "ReadWrite"
  }
  network_interface {
    name    = "nic"
    primary = true
    ip_configuration {
      name                                   = "internal"
      primary                                = true
      subnet_id                              = var.subnet_id
      load_balancer_backend_address_pool_ids = [azurerm_lb_backend_address_pool.fleet.id]
    }
  }
}
