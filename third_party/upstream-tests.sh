#!/bin/sh
# Runs the upstream tests of the patched packages against the copies here:
# copies the *_test.go files (and the fixtures and helper packages they
# need) from the module cache, runs them, and deletes them again.
#
#   sh third_party/upstream-tests.sh
set -eu
cd "$(dirname "$0")/.."
MOD=$(go env GOMODCACHE)
KO=$MOD/k8s.io/kube-openapi@$(go list -m -f '{{.Version}}' k8s.io/kube-openapi)
AE=$MOD/k8s.io/apiextensions-apiserver@$(go list -m -f '{{.Version}}' k8s.io/apiextensions-apiserver)
AS=$MOD/k8s.io/apiserver@$(go list -m -f '{{.Version}}' k8s.io/apiserver)
CG=$MOD/github.com/google/cel-go@$(go list -m -f '{{.Version}}' github.com/google/cel-go)

cleanup() {
	find third_party -name '*_test.go' -delete
	rm -rf third_party/kube-openapi/pkg/validation/validate/fixtures \
		third_party/apiextensions-apiserver/pkg/apis/apiextensions/fuzzer \
		third_party/cel-go/test third_party/apiserver/pkg/cel/mutation
	find third_party -name testdata -type d -prune -exec rm -rf {} +
}
trap cleanup EXIT

cp "$KO"/pkg/validation/validate/*_test.go third_party/kube-openapi/pkg/validation/validate/
cp -r "$KO"/pkg/validation/validate/fixtures third_party/kube-openapi/pkg/validation/validate/
cp "$AE"/pkg/apiserver/validation/*_test.go third_party/apiextensions-apiserver/pkg/apiserver/validation/
# metrics_test.go needs the customresource registry (a server's storage).
rm third_party/apiextensions-apiserver/pkg/apiserver/validation/metrics_test.go
mkdir -p third_party/apiextensions-apiserver/pkg/apis/apiextensions/fuzzer
cp "$AE"/pkg/apis/apiextensions/fuzzer/*.go third_party/apiextensions-apiserver/pkg/apis/apiextensions/fuzzer/
for d in $(cd "$AE" && find pkg/apiserver/schema/cel pkg/apiserver/schema/defaulting pkg/apiserver/schema/pruning pkg/apiserver/schema/listtype -type d); do
	cp "$AE"/$d/*_test.go third_party/apiextensions-apiserver/$d/ 2>/dev/null || true
done
for d in $(cd third_party/apiserver && find pkg/cel -type d); do
	cp "$AS"/$d/*_test.go third_party/apiserver/$d/ 2>/dev/null || true
	if [ -d "$AS"/$d/testdata ]; then cp -r "$AS"/$d/testdata third_party/apiserver/$d/; fi
done
cp -r "$AS"/pkg/cel/mutation third_party/apiserver/pkg/cel/
cp "$CG"/interpreter/*_test.go third_party/cel-go/interpreter/
mkdir -p third_party/cel-go/test
cp "$CG"/test/*.go third_party/cel-go/test/
cp -r "$CG"/test/proto2pb "$CG"/test/proto3pb third_party/cel-go/test/
chmod -R u+w third_party

go test -count=1 \
	k8s.io/kube-openapi/pkg/validation/validate \
	k8s.io/apiextensions-apiserver/pkg/apiserver/validation \
	k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/... \
	k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting \
	k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning \
	k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype \
	k8s.io/apiserver/pkg/cel/... \
	github.com/google/cel-go/interpreter
