package arn_test

import (
	"fmt"

	"github.com/iamd/iamd/arn"
)

func ExampleParse() {
	a, err := arn.Parse("arn:aws:iam::123456789012:user/division/alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Partition, a.Service, a.AccountID, a.Resource)
	// Output: aws iam 123456789012 user/division/alice
}

func ExampleARN_String() {
	role := arn.ARN{Partition: arn.PartitionOf("cn-north-1"), Service: "iam", AccountID: "123456789012", Resource: "role/app"}
	fmt.Println(role)
	// Output: arn:aws-cn:iam::123456789012:role/app
}

func ExampleMatch() {
	fmt.Println(arn.Match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt"))
	// The region wildcard does not reach into the account part.
	fmt.Println(arn.Match("arn:aws:sqs:*:111122223333:q", "arn:aws:sqs:us-east-1:999999999999:x:111122223333:q"))
	// Output:
	// true
	// false
}

func ExamplePartitionOf() {
	fmt.Println(arn.PartitionOf("us-gov-west-1"), arn.PartitionOf("eu-west-1"))
	// Output: aws-us-gov aws
}
