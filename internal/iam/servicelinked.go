package iam

import (
	"fmt"
	"strings"
	"unicode"
)

// serviceLinkedPath is the path prefix of service-linked roles; a role's
// path is /aws-service-role/<service principal>/. AWS reserves the prefix:
// CreateRole refuses it (tilfin/aws-iam-policy-tool#9, AWS's answer:
// "Path prefix '/aws-service-role/' can only be used for AWS Service
// linked Roles").
const serviceLinkedPath = "/aws-service-role/"

// serviceLinkedPrefix starts every service-linked role's name.
const serviceLinkedPrefix = "AWSServiceRoleFor"

// linkedService is what IAM knows of a service that uses a service-linked
// role: the role name's part after AWSServiceRoleFor and the AWS managed
// policy (under /aws-service-role/) AWS attaches to the role.
type linkedService struct {
	role   string
	policy string
}

// linkedServices are the services whose service-linked role names and
// policies are documented, by service principal. The names come from each
// service's "Using service-linked roles" page (reachable from the IAM User
// Guide's "AWS services that work with IAM"), because a service chooses
// its role's name: it is not always derived from the principal
// (es.amazonaws.com's is AWSServiceRoleForAmazonElasticsearchService,
// spot.amazonaws.com's AWSServiceRoleForEC2Spot). Every policy named here
// is an AWS managed policy at /aws-service-role/ (a test checks that
// against package managed).
var linkedServices = map[string]linkedService{
	"access-analyzer.amazonaws.com":                         {"AccessAnalyzer", "AccessAnalyzerServiceRolePolicy"},
	"acm.amazonaws.com":                                     {"CertificateManager", "CertificateManagerServiceRolePolicy"},
	"appstream.application-autoscaling.amazonaws.com":       {"ApplicationAutoScaling_AppStreamFleet", "AWSApplicationAutoscalingAppStreamFleetPolicy"},
	"autoscaling.amazonaws.com":                             {"AutoScaling", "AutoScalingServiceRolePolicy"},
	"backup.amazonaws.com":                                  {"Backup", "AWSBackupServiceLinkedRolePolicyForBackup"},
	"batch.amazonaws.com":                                   {"Batch", "BatchServiceRolePolicy"},
	"cassandra.application-autoscaling.amazonaws.com":       {"ApplicationAutoScaling_CassandraTable", "AWSApplicationAutoscalingCassandraTablePolicy"},
	"cks.kms.amazonaws.com":                                 {"KeyManagementServiceCustomKeyStores", "AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy"},
	"cloudhsm.amazonaws.com":                                {"CloudHSM", "CloudHSMServiceRolePolicy"},
	"cloudtrail.amazonaws.com":                              {"CloudTrail", "CloudTrailServiceRolePolicy"},
	"comprehend.application-autoscaling.amazonaws.com":      {"ApplicationAutoScaling_ComprehendEndpoint", "AWSApplicationAutoscalingComprehendEndpointPolicy"},
	"compute-optimizer.amazonaws.com":                       {"ComputeOptimizer", "ComputeOptimizerServiceRolePolicy"},
	"config.amazonaws.com":                                  {"Config", "AWSConfigServiceRolePolicy"},
	"custom-resource.application-autoscaling.amazonaws.com": {"ApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy"},
	"dax.amazonaws.com":                                     {"DAX", "DAXServiceRolePolicy"},
	"dynamodb.application-autoscaling.amazonaws.com":        {"ApplicationAutoScaling_DynamoDBTable", "AWSApplicationAutoscalingDynamoDBTablePolicy"},
	"ec2.application-autoscaling.amazonaws.com":             {"ApplicationAutoScaling_EC2SpotFleetRequest", "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy"},
	"ecs.amazonaws.com":                                     {"ECS", "AmazonECSServiceRolePolicy"},
	"ecs.application-autoscaling.amazonaws.com":             {"ApplicationAutoScaling_ECSService", "AWSApplicationAutoscalingECSServicePolicy"},
	"eks.amazonaws.com":                                     {"AmazonEKS", "AmazonEKSServiceRolePolicy"},
	"eks-fargate.amazonaws.com":                             {"AmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy"},
	"eks-nodegroup.amazonaws.com":                           {"AmazonEKSNodegroup", "AWSServiceRoleForAmazonEKSNodegroup"},
	"elasticache.amazonaws.com":                             {"ElastiCache", "ElastiCacheServiceRolePolicy"},
	"elasticache.application-autoscaling.amazonaws.com":     {"ApplicationAutoScaling_ElastiCacheRG", "AWSApplicationAutoscalingElastiCacheRGPolicy"},
	"elasticbeanstalk.amazonaws.com":                        {"ElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy"},
	"elasticfilesystem.amazonaws.com":                       {"AmazonElasticFileSystem", "AmazonElasticFileSystemServiceRolePolicy"},
	"elasticloadbalancing.amazonaws.com":                    {"ElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"},
	"elasticmapreduce.amazonaws.com":                        {"EMRCleanup", "AmazonEMRCleanupPolicy"},
	"email.cognito-idp.amazonaws.com":                       {"AmazonCognitoIdpEmailService", "AmazonCognitoIdpEmailServiceRolePolicy"},
	"emr-containers.amazonaws.com":                          {"AmazonEMRContainers", "AmazonEMRContainersServiceRolePolicy"},
	"es.amazonaws.com":                                      {"AmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy"},
	"fms.amazonaws.com":                                     {"FMS", "FMSServiceRolePolicy"},
	"fsx.amazonaws.com":                                     {"AmazonFSx", "AmazonFSxServiceRolePolicy"},
	"globalaccelerator.amazonaws.com":                       {"GlobalAccelerator", "AWSGlobalAcceleratorSLRPolicy"},
	"grafana.amazonaws.com":                                 {"AmazonGrafana", "AmazonGrafanaServiceLinkedRolePolicy"},
	"guardduty.amazonaws.com":                               {"AmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"},
	"imagebuilder.amazonaws.com":                            {"ImageBuilder", "AWSServiceRoleForImageBuilder"},
	"inspector2.amazonaws.com":                              {"AmazonInspector2", "AmazonInspector2ServiceRolePolicy"},
	"kafka.amazonaws.com":                                   {"Kafka", "KafkaServiceRolePolicy"},
	"kafka.application-autoscaling.amazonaws.com":           {"ApplicationAutoScaling_KafkaCluster", "AWSApplicationAutoscalingKafkaClusterPolicy"},
	"lakeformation.amazonaws.com":                           {"LakeFormationDataAccess", "LakeFormationDataAccessServiceRolePolicy"},
	"lambda.application-autoscaling.amazonaws.com":          {"ApplicationAutoScaling_LambdaConcurrency", "AWSApplicationAutoscalingLambdaConcurrencyPolicy"},
	"logger.cloudfront.amazonaws.com":                       {"CloudFrontLogger", "AWSCloudFrontLogger"},
	"macie.amazonaws.com":                                   {"AmazonMacie", "AmazonMacieServiceRolePolicy"},
	"memorydb.amazonaws.com":                                {"MemoryDB", "MemoryDBServiceRolePolicy"},
	"mq.amazonaws.com":                                      {"AmazonMQ", "AmazonMQServiceRolePolicy"},
	"mrk.kms.amazonaws.com":                                 {"KeyManagementServiceMultiRegionKeys", "AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy"},
	"neptune.application-autoscaling.amazonaws.com":         {"ApplicationAutoScaling_NeptuneCluster", "AWSApplicationAutoscalingNeptuneClusterPolicy"},
	"network-firewall.amazonaws.com":                        {"NetworkFirewall", "AWSNetworkFirewallServiceRolePolicy"},
	"opensearchservice.amazonaws.com":                       {"AmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy"},
	"organizations.amazonaws.com":                           {"Organizations", "AWSOrganizationsServiceTrustPolicy"},
	"ram.amazonaws.com":                                     {"ResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy"},
	"rds.amazonaws.com":                                     {"RDS", "AmazonRDSServiceRolePolicy"},
	"rds.application-autoscaling.amazonaws.com":             {"ApplicationAutoScaling_RDSCluster", "AWSApplicationAutoscalingRDSClusterPolicy"},
	"redshift.amazonaws.com":                                {"Redshift", "AmazonRedshiftServiceLinkedRolePolicy"},
	"replication.dynamodb.amazonaws.com":                    {"DynamoDBReplication", "DynamoDBReplicationServiceRolePolicy"},
	"replicator.lambda.amazonaws.com":                       {"LambdaReplicator", "AWSLambdaReplicator"},
	"sagemaker.application-autoscaling.amazonaws.com":       {"ApplicationAutoScaling_SageMakerEndpoint", "AWSApplicationAutoscalingSageMakerEndpointPolicy"},
	"securityhub.amazonaws.com":                             {"SecurityHub", "AWSSecurityHubServiceRolePolicy"},
	"servicequotas.amazonaws.com":                           {"ServiceQuotas", "ServiceQuotasServiceRolePolicy"},
	"spot.amazonaws.com":                                    {"EC2Spot", "AWSEC2SpotServiceRolePolicy"},
	"spotfleet.amazonaws.com":                               {"EC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy"},
	"ssm.amazonaws.com":                                     {"AmazonSSM", "AmazonSSMServiceRolePolicy"},
	"sso.amazonaws.com":                                     {"SSO", "AWSSSOServiceRolePolicy"},
	"support.amazonaws.com":                                 {"Support", "AWSSupportServiceRolePolicy"},
	"transitgateway.amazonaws.com":                          {"VPCTransitGateway", "AWSVPCTransitGatewayServiceRolePolicy"},
	"trustedadvisor.amazonaws.com":                          {"TrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy"},
}

// principalSuffixes end the AWS service principals: amazonaws.com, and
// amazonaws.com.cn for some services in the China partition.
var principalSuffixes = []string{".amazonaws.com", ".amazonaws.com.cn"}

// serviceLinkedRole is the role CreateServiceLinkedRole makes for a service.
type serviceLinkedRole struct {
	Name   string // AWSServiceRoleFor..., with _CustomSuffix
	Path   string // /aws-service-role/<service>/
	Policy string // the AWS managed policy to attach by name, "" for none known
}

// serviceLinkedRoleFor works out the service-linked role of a service
// principal, with an optional custom suffix. A documented service gets its
// documented name and policy; another service principal gets the name its
// labels spell in IAM's convention (service "x-y.amazonaws.com" →
// AWSServiceRoleForXY; "a.x-y.amazonaws.com", a sub-service of x-y, →
// AWSServiceRoleForXY_A, as application-autoscaling's are named) and no
// policy, so that workflows for services iamd does not list still run.
// The errors are AWS's InvalidInput.
func serviceLinkedRoleFor(service, suffix string) (serviceLinkedRole, error) {
	var base string
	if ls, ok := linkedServices[service]; ok {
		base = ls.role
	} else {
		var err error
		if base, err = derivedRoleName(service); err != nil {
			return serviceLinkedRole{}, err
		}
	}
	r := serviceLinkedRole{Name: serviceLinkedPrefix + base, Path: serviceLinkedPath + service + "/"}
	if ls, ok := linkedServices[service]; ok {
		r.Policy = ls.policy
	}
	if suffix != "" {
		r.Name += "_" + suffix
	}
	if len(r.Name) > 64 {
		// The model limits role names to 64 characters; AWS's wording
		// for a suffix that makes the name too long is not on record.
		return serviceLinkedRole{}, wireError("InvalidInput", "The role name %s formed with the custom suffix is longer than 64 characters.", r.Name)
	}
	return r, nil
}

// derivedRoleName is the part after AWSServiceRoleFor of an undocumented
// service principal's role, or InvalidInput if the name is not a service
// principal at all.
func derivedRoleName(service string) (string, error) {
	invalid := wireError("InvalidInput", "Invalid service name: %s. The AWSServiceName must be a service principal, such as elasticbeanstalk.amazonaws.com.", service)
	host := ""
	for _, s := range principalSuffixes {
		if h, ok := strings.CutSuffix(service, s); ok {
			host = h
			break
		}
	}
	labels := strings.Split(host, ".")
	if host == "" || len(labels) > 2 {
		return "", invalid
	}
	var words []string
	for i := len(labels) - 1; i >= 0; i-- {
		w := pascal(labels[i])
		if w == "" {
			return "", invalid
		}
		words = append(words, w)
	}
	return strings.Join(words, "_"), nil
}

// pascal joins the hyphen-separated words of a principal label with their
// first letters upper-cased ("compute-optimizer" → "ComputeOptimizer"); ""
// if a word is empty or holds anything but letters and digits.
func pascal(label string) string {
	var b strings.Builder
	for _, w := range strings.Split(label, "-") {
		if w == "" {
			return ""
		}
		for _, r := range w {
			if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return ""
			}
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// serviceLinkedTrustPolicy is the trust policy AWS gives a service-linked
// role: the service principal may assume it, and nothing else may.
func serviceLinkedTrustPolicy(service string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":%q},"Action":"sts:AssumeRole"}]}`, service)
}

// linkedServiceOf returns the service principal of a service-linked role
// from its path, /aws-service-role/<service>/.
func linkedServiceOf(path string) string {
	rest, ok := strings.CutPrefix(path, serviceLinkedPath)
	if !ok {
		return ""
	}
	return strings.TrimSuffix(rest, "/")
}
