package provider

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// NewGatewayDataSource is data.envoygateway_gateway: the status and
// addresses of an existing Gateway.
func NewGatewayDataSource() datasource.DataSource {
	return &objectDataSource{m: loadKind("gateway", "Gateway", "")}
}
