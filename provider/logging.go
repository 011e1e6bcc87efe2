package provider

import "os"

// quietSDKLogs turns off the SDK's own trace logging unless someone asked
// for logs. terraform-plugin-go and the framework log every RPC and every
// attribute they walk at TRACE by default, as JSON on stderr, which
// Terraform parses line by line and then throws away when TF_LOG is unset:
// an eighth of the provider's CPU time in a plan, and as much again in
// Terraform. With TF_LOG (or TF_LOG_SDK*) set, nothing changes.
func quietSDKLogs() {
	for _, v := range []string{"TF_LOG", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(v) != "" {
			return
		}
	}
	os.Setenv("TF_LOG_SDK", "OFF")
}
