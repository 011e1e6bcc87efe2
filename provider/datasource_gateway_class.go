package provider

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// NewGatewayClassDataSource is data.envoygateway_gateway_class.
func NewGatewayClassDataSource() datasource.DataSource {
	return &objectDataSource{m: loadKind("gateway_class", "GatewayClass", "")}
}
