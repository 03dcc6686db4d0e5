// An empty stand-in for an indirect requirement the Go module proxy refuses (see ../go.work).
module github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v54

go 1.26
