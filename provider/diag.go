package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

func pathOf(name string) path.Path { return path.Root(name) }

func isPEM(s string) bool { return strings.Contains(s, "-----BEGIN") }

// apiDiag turns a client error into a diagnostic a user can act on:
// unreachable server, refused credentials, or the server's own reason.
func apiDiag(what string, err error) diag.Diagnostic {
	var unreachable *apiclient.UnreachableError
	if errors.As(err, &unreachable) {
		return diag.NewErrorDiagnostic("Cannot reach the Envoy Gateway Config Server",
			fmt.Sprintf("%s: %v\n\nCheck the provider's endpoint (or ENVOYGATEWAY_ENDPOINT) and that the control plane is running.", what, unreachable))
	}
	if se, ok := apiclient.AsStatus(err); ok {
		switch se.ErrStatus.Code {
		case http.StatusUnauthorized:
			return diag.NewErrorDiagnostic("The Config Server refused the credentials",
				fmt.Sprintf("%s at %s: %s\n\nCheck the provider's token (or ENVOYGATEWAY_TOKEN).", what, se.Endpoint, se.ErrStatus.Message))
		case http.StatusForbidden:
			return diag.NewErrorDiagnostic("The Config Server forbids this request", fmt.Sprintf("%s: %s", what, se.ErrStatus.Message))
		}
		detail := se.ErrStatus.Message
		if c := se.Causes(); len(c) > 0 {
			detail += "\n\n" + strings.Join(c, "\n")
		}
		return diag.NewErrorDiagnostic(fmt.Sprintf("%s failed: %s", what, se.ErrStatus.Reason), detail)
	}
	return diag.NewErrorDiagnostic(what+" failed", err.Error())
}
