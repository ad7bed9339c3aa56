module github.com/iamd/iamd/bench

go 1.26.8

require (
	github.com/aws/aws-sdk-go-v2 v1.47.7
	github.com/cedar-policy/cedar-go v1.9.0
	github.com/iamd/iamd v0.0.0
	github.com/minio/pkg/v3 v3.1.3
)

require (
	github.com/aws/smithy-go v1.28.8 // indirect
	github.com/go-json-experiment/json v0.0.0-20260820222146-c27c302e5fc3 // indirect
	github.com/goccy/go-json v0.10.5 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/pgx/v5 v5.12.0 // indirect
	github.com/minio/minio-go/v7 v7.0.88 // indirect
	golang.org/x/exp v0.0.0-20220921023135-46d9e7742f1e // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/iamd/iamd => ../
