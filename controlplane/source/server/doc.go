// Package server is the Config Server: the durable, Kubernetes-shaped API
// the Terraform provider and the CLI write Gateway API resources to.
//
// The parts, each in its own file:
//
//   - API (api.go, put.go, watch.go, apply.go, dryrun.go): the
//     transport-independent core. Kubernetes API server semantics over a
//     store.Store: Get, List (label selectors), Put (create or replace),
//     Create, Delete (preconditions), Watch (from a resourceVersion), Apply
//     (multi-document), and dry-run of every write. Errors are
//     *apierrors.StatusError carrying the Status kube-apiserver would send.
//     The HTTP handler here and the gRPC service (grpcapi) are thin layers
//     over it.
//   - publisher (publish.go): follows the store's watch, keeps typed
//     objects, and publishes them as resource.Resources under SourceName on
//     the Message Service, so every durable change reaches the translator.
//   - statusWriter (statuswriter.go): writes each translation's status back.
//   - handler (http.go, http_watch.go) and Server (server.go, auth.go): the
//     HTTP API, bearer-token and mTLS authentication, the listener.
//
// Semantics, as kube-apiserver's:
//
//   - metadata.resourceVersion is the store revision of the object's last
//     write. Sent on a write, it is a precondition (409 Conflict if stale,
//     404 if the object is gone); without it a write replaces whatever is
//     stored.
//   - uid and creationTimestamp are set on create and never change;
//     generation starts at 1 and moves only when something outside metadata
//     and status changes. A PUT equal to what is stored writes nothing and
//     keeps resourceVersion.
//   - Objects are pruned, defaulted and validated by resource/validation:
//     the CRDs' OpenAPI schemas and CEL rules. Invalid objects get 422 with
//     one cause per field; unknown fields get 400 (fieldValidation=Strict,
//     the default here; Warn and Ignore are accepted).
//   - Kinds with a status subresource (the Gateway API's) ignore status
//     sent by clients; /status is readable but only the control plane
//     writes it (405). A new object gets its CRD's default status
//     (Pending, "Waiting for controller") until the translator decides.
//   - Every version of a kind is one object: v1beta1 and v1 read and write
//     the same key, stored in the newest version.
//   - Namespaces need not exist before objects are put in them: a config
//     server without Kubernetes has no one to create them.
//
// Status write-back never republishes: the publisher compares each change
// without status and ignores status-only ones, otherwise every translation
// would trigger the next. Conditions keep lastTransitionTime while their
// status holds, and a translation of an older generation or another
// incarnation (uid) of an object is not written. See statusWriter for what
// happens to objects the control plane stops handling.
package server
