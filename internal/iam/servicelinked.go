package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy/managed"
)

var _ = family((*Service).serviceLinkedOperations)

func (s *Service) serviceLinkedOperations(t service.Table) {
	t["CreateServiceLinkedRole"] = service.Op(s.createServiceLinkedRole)
	t["DeleteServiceLinkedRole"] = service.Op(s.deleteServiceLinkedRole)
	t["GetServiceLinkedRoleDeletionStatus"] = service.Op(s.getServiceLinkedRoleDeletionStatus)
}

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

// ServiceLinkedRole returns the name and path of the role
// CreateServiceLinkedRole would create for a service principal and an
// optional custom suffix, so that the call can be authorized on that exact
// role's ARN before it is made. The error is the call's own InvalidInput
// for a name that is not a service principal or a suffix that makes the
// name too long.
func ServiceLinkedRole(service, suffix string) (name, path string, err error) {
	r, err := serviceLinkedRoleFor(service, suffix)
	if err != nil {
		return "", "", err
	}
	return r.Name, r.Path, nil
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

// The states of a deletion task (GetServiceLinkedRoleDeletionStatus).
const (
	deletionSucceeded = "SUCCEEDED"
	deletionFailed    = "FAILED"
)

// deletionTaskPrefix starts every DeletionTaskId; the API reference gives
// the form task/aws-service-role/<service principal>/<role name>/<task id>.
const deletionTaskPrefix = "task" + serviceLinkedPath

// createServiceLinkedRole creates the role a service uses, with the trust
// policy that lets only that service assume it and, for a documented
// service, the service's AWS managed policy attached, as AWS does.
func (s *Service) createServiceLinkedRole(ctx context.Context, c *service.Call, in *iamapi.CreateServiceLinkedRoleRequest) (*iamapi.CreateServiceLinkedRoleResponse, error) {
	slr, err := serviceLinkedRoleFor(in.AWSServiceName, str(in.CustomSuffix))
	if err != nil {
		return nil, err
	}
	r := store.Role{
		Account:            c.AccountID,
		ID:                 awsid.Unique(awsid.Role),
		Name:               slr.Name,
		Path:               slr.Path,
		Created:            c.Now,
		AssumeRolePolicy:   serviceLinkedTrustPolicy(in.AWSServiceName),
		Description:        str(in.Description),
		MaxSessionDuration: defaultMaxSessionDuration,
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetRole(c.AccountID, r.Name); err == nil {
			// AWS's answer when the role exists (terraform-aws-hasura#17,
			// terraform-aws-elasticsearch#59).
			return wireError("InvalidInput", "Service role name %s has been taken in this account, please try a different suffix.", r.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := createRoleTx(tx, r); err != nil {
			return err
		}
		if slr.Policy == "" {
			return nil
		}
		p, ok := managed.ByName(slr.Policy)
		if !ok {
			return fmt.Errorf("iam: service-linked role policy %s is not in the managed policy catalog", slr.Policy)
		}
		return tx.AttachPolicy(c.AccountID, store.Entity{Kind: store.KindRole, Name: r.Name}, store.AttachedPolicy{
			ARN: managedPolicyARN(c.Partition, "aws", p.Path, p.Name), Name: p.Name, Path: p.Path,
		})
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := apiRole(c, r)
	return &iamapi.CreateServiceLinkedRoleResponse{Role: &out}, nil
}

// deleteServiceLinkedRole deletes a service-linked role with its policies.
// No resource of another AWS service can be using the role in iamd, so the
// deletion is done at once and its task recorded as SUCCEEDED for
// GetServiceLinkedRoleDeletionStatus.
func (s *Service) deleteServiceLinkedRole(ctx context.Context, c *service.Call, in *iamapi.DeleteServiceLinkedRoleRequest) (*iamapi.DeleteServiceLinkedRoleResponse, error) {
	var task store.DeletionTask
	err := s.store.Update(ctx, func(tx store.Tx) error {
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return err
		}
		if !isServiceLinked(r) {
			// The operation is for service-linked roles only; AWS's
			// wording for an ordinary role is not on record, and its
			// model lists NoSuchEntity as the error for a role it does
			// not find.
			return wireError("NoSuchEntity", "The role with name %s is not a service-linked role.", r.Name)
		}
		if err := removeRolePolicies(tx, c.AccountID, r.Name); err != nil {
			return err
		}
		if err := tx.DeleteRole(c.AccountID, r.Name); err != nil {
			return err
		}
		task = store.DeletionTask{
			ID:       deletionTaskPrefix + linkedServiceOf(r.Path) + "/" + r.Name + "/" + awsid.RequestID(),
			Account:  c.AccountID,
			RoleName: r.Name,
			Status:   deletionSucceeded,
			Created:  c.Now,
		}
		return tx.PutDeletionTask(task)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.DeleteServiceLinkedRoleResponse{DeletionTaskId: task.ID}, nil
}

// removeRolePolicies detaches a role's managed policies and deletes its
// inline ones, as the service does when it deletes its role.
func removeRolePolicies(tx store.Tx, account, role string) error {
	e := store.Entity{Kind: store.KindRole, Name: role}
	for {
		p, err := tx.ListAttachedPolicies(account, e, store.PathListOptions{MaxItems: 1000})
		if err != nil {
			return err
		}
		for _, a := range p.Items {
			if err := tx.DetachPolicy(account, e, a.ARN); err != nil {
				return err
			}
		}
		if !p.Truncated() {
			break
		}
	}
	for {
		p, err := tx.ListInlinePolicies(account, e, store.ListOptions{MaxItems: 1000})
		if err != nil {
			return err
		}
		for _, ip := range p.Items {
			if err := tx.DeleteInlinePolicy(account, e, ip.Name); err != nil {
				return err
			}
		}
		if !p.Truncated() {
			return nil
		}
	}
}

func (s *Service) getServiceLinkedRoleDeletionStatus(ctx context.Context, c *service.Call, in *iamapi.GetServiceLinkedRoleDeletionStatusRequest) (*iamapi.GetServiceLinkedRoleDeletionStatusResponse, error) {
	if !strings.HasPrefix(in.DeletionTaskId, deletionTaskPrefix) || strings.Count(in.DeletionTaskId, "/") != 4 {
		// AWS's wording for a malformed id is not on record.
		return nil, wireError("InvalidInput", "Invalid deletion task id %s: it must have the form task/aws-service-role/<service>/<role name>/<id>.", in.DeletionTaskId)
	}
	var task store.DeletionTask
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		task, err = tx.GetDeletionTask(c.AccountID, in.DeletionTaskId)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		// AWS answers NoSuchEntity for a task it does not know
		// (cloud-nuke#1143); the wording is iamd's.
		return nil, wireError("NoSuchEntity", "The deletion task with id %s cannot be found.", in.DeletionTaskId)
	}
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLinkedRoleDeletionStatusResponse{Status: task.Status}
	if task.Status == deletionFailed && task.Reason != "" {
		out.Reason = &iamapi.DeletionTaskFailureReasonType{Reason: ptr(task.Reason)}
	}
	return out, nil
}
