// Package provider is the Terraform provider envoygateway: Gateway API
// objects as Terraform resources, written to the control plane's Config
// Server, with plan-time validation by dry-run and applies that wait for
// the control plane's verdict.
package provider

import (
	"context"
	"os"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// New returns the provider factory providerserver serves.
func New(version string) func() provider.Provider {
	quietSDKLogs()
	return func() provider.Provider { return &envoyGatewayProvider{version: version} }
}

type envoyGatewayProvider struct {
	version string
	// configured is what Configure gave resources, for the RPCs that
	// server answers without the framework.
	configured atomic.Pointer[providerData]
}

type providerModel struct {
	Endpoint types.String `tfsdk:"endpoint"`
	Token    types.String `tfsdk:"token"`
	CACert   types.String `tfsdk:"ca_cert"`
	Insecure types.Bool   `tfsdk:"insecure"`
}

func (p *envoyGatewayProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "envoygateway"
	resp.Version = p.version
}

func (p *envoyGatewayProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Gateway API objects in an Envoy Gateway control plane through its Config Server.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{Optional: true, MarkdownDescription: "Base URL of the Config Server, e.g. `http://127.0.0.1:18080`. Defaults to `ENVOYGATEWAY_ENDPOINT`, else `" + apiclient.DefaultEndpoint + "`."},
			"token":    schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Bearer token of the Config Server. Defaults to `ENVOYGATEWAY_TOKEN`, else the contents of the file `ENVOYGATEWAY_TOKEN_FILE` names."},
			"ca_cert":  schema.StringAttribute{Optional: true, MarkdownDescription: "PEM CA certificate (the PEM text, or a path to a PEM file) that verifies an `https` endpoint."},
			"insecure": schema.BoolAttribute{Optional: true, MarkdownDescription: "Trust any server certificate. For tests only."},
		},
	}
}

func (p *envoyGatewayProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// An endpoint that depends on another resource is unknown while
	// planning: resources then skip the dry-run instead of failing.
	if m.Endpoint.IsUnknown() || m.Token.IsUnknown() || m.CACert.IsUnknown() {
		resp.ResourceData, resp.DataSourceData = &providerData{}, &providerData{}
		p.configured.Store(&providerData{})
		return
	}
	opts := apiclient.Options{
		Endpoint:  m.Endpoint.ValueString(),
		Token:     m.Token.ValueString(),
		UserAgent: "terraform-provider-envoygateway/" + p.version,
	}.WithEnv()
	opts.TLS.InsecureSkipVerify = m.Insecure.ValueBool()
	caFile, cleanup, err := caCertFile(m.CACert.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(pathOf("ca_cert"), "Invalid ca_cert", err.Error())
		return
	}
	defer cleanup()
	opts.TLS.CAFile = caFile
	c, err := apiclient.New(opts)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the envoygateway provider", err.Error())
		return
	}
	resp.ResourceData, resp.DataSourceData = &providerData{client: c}, &providerData{client: c}
	p.configured.Store(&providerData{client: c})
}

func (p *envoyGatewayProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewGatewayClassResource, NewGatewayResource, NewHTTPRouteResource, NewGRPCRouteResource,
		NewTLSRouteResource, NewTCPRouteResource, NewUDPRouteResource, NewReferenceGrantResource,
		NewBackendResource, NewEnvoyFleetResource,
	}
}

func (p *envoyGatewayProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewGatewayDataSource, NewGatewayClassDataSource}
}

// providerData is what Configure hands resources: a nil client means the
// endpoint is not known yet.
type providerData struct{ client *apiclient.Client }

// caCertFile gives the client a file: ca_cert may be PEM text or a path.
// The client reads the file in New, so the temporary copy goes right after.
func caCertFile(v string) (string, func(), error) {
	nop := func() {}
	if v == "" {
		return "", nop, nil
	}
	if !isPEM(v) {
		return v, nop, nil
	}
	f, err := os.CreateTemp("", "envoygateway-ca-*.pem")
	if err != nil {
		return "", nop, err
	}
	defer f.Close()
	if _, err := f.WriteString(v); err != nil {
		os.Remove(f.Name())
		return "", nop, err
	}
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}
