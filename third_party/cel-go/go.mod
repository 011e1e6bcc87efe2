module github.com/google/cel-go

go 1.22.0

toolchain go1.23.0

require (
	cel.dev/expr v0.24.0
	github.com/antlr4-go/antlr/v4 v4.13.0
	github.com/stoewer/go-strcase v1.2.0
	google.golang.org/genproto/googleapis/api v0.0.0-20240826202546-f6391c0de4c7
	google.golang.org/protobuf v1.34.2
	gopkg.in/yaml.v3 v3.0.1
)

require (
	golang.org/x/exp v0.0.0-20230515195305-f3d0a9c9a5cc // indirect
	golang.org/x/text v0.22.0
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240826202546-f6391c0de4c7 // indirect
)
