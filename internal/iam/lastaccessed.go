package iam

// Service last accessed data ("access advisor"): which AWS services an
// identity's or a policy's permissions reach, and when they were last used.
//
// What iamd can report: the services come from the policies, matched
// against AWS's catalog of services and actions (the Service
// Authorization Reference, lastaccessed_services.json.gz, derived from
// ../shared/data/aws-service-actions.json; TestServiceCatalog checks it and
// rewrites it with -update-service-catalog). The use comes from what iamd
// records: the last use of each access key, with its service and region.
// Role sessions and console sign-ins are not attributed to a service, so
// they do not show, and no action-level use is recorded: tracked actions
// are listed with no access time.
//
// Jobs: iamd computes a report when it is read, from a job id that
// encodes the job's creation time and a digest of the account, the
// entity's ARN and the granularity, so that no job state is kept. Reading
// a job finds its entity again among the account's users, groups, roles
// and policies; a job whose entity was deleted meanwhile is gone.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).lastAccessedOperations)

func (s *Service) lastAccessedOperations(t service.Table) {
	t["GenerateServiceLastAccessedDetails"] = service.Op(s.generateServiceLastAccessedDetails)
	t["GetServiceLastAccessedDetails"] = service.Op(s.getServiceLastAccessedDetails)
	t["GetServiceLastAccessedDetailsWithEntities"] = service.Op(s.getServiceLastAccessedDetailsWithEntities)
	t["ListPoliciesGrantingServiceAccess"] = service.Op(s.listPoliciesGrantingServiceAccess)
}

//go:embed lastaccessed_services.json.gz
var serviceCatalogGzip []byte

// awsService is one service of the catalog.
type awsService struct {
	Namespace string
	Name      string
	Actions   []string // sorted
}

// serviceCatalog is the catalog sorted by namespace, decoded once.
var serviceCatalog = sync.OnceValue(func() []awsService {
	out, err := decodeServiceCatalog(serviceCatalogGzip)
	if err != nil {
		panic("iam: embedded service catalog: " + err.Error())
	}
	return out
})

// decodeServiceCatalog reads the embedded form: gzip-compressed JSON
// mapping each namespace to [name, [actions...]].
func decodeServiceCatalog(gz []byte) ([]awsService, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var m map[string][2]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	out := make([]awsService, 0, len(m))
	for ns, v := range m {
		s := awsService{Namespace: ns}
		if err := json.Unmarshal(v[0], &s.Name); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(v[1], &s.Actions); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Namespace < out[j].Namespace })
	return out, nil
}

// lookupService finds a service by namespace (compared without regard to
// case, as action prefixes are).
func lookupService(ns string) (awsService, bool) {
	all := serviceCatalog()
	ns = strings.ToLower(ns)
	i := sort.Search(len(all), func(i int) bool { return all[i].Namespace >= ns })
	if i < len(all) && all[i].Namespace == ns {
		return all[i], true
	}
	return awsService{}, false
}

// trackedServices are the services whose actions IAM reports at
// ACTION_LEVEL granularity (IAM User Guide, "Refining permissions using
// last accessed information": Amazon EC2, IAM, Lambda and Amazon S3
// management actions).
var trackedServices = map[string]bool{"ec2": true, "iam": true, "lambda": true, "s3": true}

// actionPattern is one Action or NotAction entry, split at its colon and
// lower-cased, since actions match without regard to case.
type actionPattern struct{ svc, act string }

// grant is what the Allow statements of one policy grant: their Action
// and NotAction patterns, one list per statement.
type grant struct {
	actions    [][]actionPattern
	notActions [][]actionPattern
}

// grantOf reads the Allow statements of a policy.
func grantOf(p *simPolicy) grant {
	var g grant
	patterns := func(raw string) []actionPattern {
		var out []actionPattern
		for _, a := range jsonStrings(raw) {
			a = strings.ToLower(a)
			if a == "*" {
				out = append(out, actionPattern{"*", "*"})
				continue
			}
			if svc, act, ok := strings.Cut(a, ":"); ok {
				out = append(out, actionPattern{svc, act})
			}
		}
		return out
	}
	for _, s := range p.statements() {
		if s.Effect != "Allow" {
			continue
		}
		switch {
		case s.Action != "":
			g.actions = append(g.actions, patterns(s.Action))
		case s.NotAction != "":
			g.notActions = append(g.notActions, patterns(s.NotAction))
		}
	}
	return g
}

// globFold matches s against a lower-case pattern with * and ?
// wildcards, folding s's ASCII letters; it allocates nothing, since a
// report matches every action of the catalog.
func globFold(p, s string) bool {
	star, mark := -1, 0
	i, j := 0, 0
	for j < len(s) {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == c):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, mark = i, j
			i++
		case star >= 0:
			i, mark = star+1, mark+1
			j = mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

// forService keeps the patterns whose service part matches a namespace.
func forService(list []actionPattern, ns string) []actionPattern {
	var out []actionPattern
	for _, p := range list {
		if globFold(p.svc, ns) {
			out = append(out, p)
		}
	}
	return out
}

func anyAction(list []actionPattern, action string) bool {
	for _, p := range list {
		if globFold(p.act, action) {
			return true
		}
	}
	return false
}

// allowedActions returns the actions of a service the grant allows (with
// some resource and context).
func (g grant) allowedActions(svc awsService) []string {
	var acts, nots [][]actionPattern
	for _, l := range g.actions {
		acts = append(acts, forService(l, svc.Namespace))
	}
	for _, l := range g.notActions {
		nots = append(nots, forService(l, svc.Namespace))
	}
	var out []string
	for _, a := range svc.Actions {
		allowed := false
		for _, l := range acts {
			if anyAction(l, a) {
				allowed = true
				break
			}
		}
		for _, l := range nots {
			if allowed {
				break
			}
			allowed = !anyAction(l, a)
		}
		if allowed {
			out = append(out, a)
		}
	}
	return out
}

// reaches reports whether the grant allows any action of the service.
func (g grant) reaches(svc awsService) bool {
	for _, l := range g.actions {
		if anyActionOf(forService(l, svc.Namespace), svc.Actions) {
			return true
		}
	}
	for _, l := range g.notActions {
		excluded := forService(l, svc.Namespace)
		for _, a := range svc.Actions {
			if !anyAction(excluded, a) {
				return true
			}
		}
	}
	return false
}

// anyActionOf reports whether a pattern matches one of the actions.
func anyActionOf(list []actionPattern, actions []string) bool {
	for _, p := range list {
		if p.act == "*" && len(actions) > 0 {
			return true
		}
		for _, a := range actions {
			if globFold(p.act, a) {
				return true
			}
		}
	}
	return false
}

// accessJob is a service last accessed job, as its id encodes it.
type accessJob struct {
	Account     string
	ARN         string
	Granularity string
	Created     time.Time // to the millisecond
}

// digest is what the job id carries of the job besides its time.
func (j accessJob) digest() [32]byte {
	return sha256.Sum256([]byte(j.Account + "\x00" + j.ARN + "\x00" + j.Granularity + "\x00" + strconv.FormatInt(j.Created.UnixMilli(), 10)))
}

// id renders the job id: a UUID-shaped 36-character string (the model's
// jobIDType) holding the creation time in milliseconds (48 bits), a
// version nibble 8, and 74 bits of the digest.
func (j accessJob) id() string {
	var b [16]byte
	ms := uint64(j.Created.UnixMilli())
	binary.BigEndian.PutUint64(b[0:8], ms<<16)
	d := j.digest()
	copy(b[6:], d[:10])
	b[6] = 0x80 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// parseJobID returns the creation time a job id holds.
func parseJobID(id string) (time.Time, bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return time.Time{}, false
	}
	b, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil || len(b) != 16 || b[6]>>4 != 8 {
		return time.Time{}, false
	}
	var t [8]byte
	copy(t[2:], b[0:6])
	return time.UnixMilli(int64(binary.BigEndian.Uint64(t[:]))).UTC(), true
}

// noSuchJob is the answer for a job id that names no job.
func noSuchJob(id string) error {
	return wireError("NoSuchEntity", "The job with ID %s cannot be found.", id)
}

// accessTarget is the user, group, role or managed policy of a report.
type accessTarget struct {
	ARN    string
	Kind   store.Kind // KindUser, KindGroup, KindRole or KindPolicy
	Name   string
	policy *simPolicy // for KindPolicy
}

// resolveTarget checks a report's ARN: an IAM user, group or role of the
// account, or a managed policy it can use.
func resolveTarget(tx store.Tx, c *service.Call, s string) (accessTarget, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" {
		return accessTarget{}, wireError("InvalidInput", "ARN %s is not valid.", s)
	}
	if strings.HasPrefix(a.Resource, "policy/") {
		p, err := findPolicy(tx, c, s)
		if err != nil {
			return accessTarget{}, err
		}
		sp, err := managedSimPolicy(tx, c, p.ARN, sourceIdentity)
		if err != nil {
			return accessTarget{}, err
		}
		return accessTarget{ARN: p.ARN, Kind: store.KindPolicy, Name: p.Name, policy: sp}, nil
	}
	src, acct, err := parsePrincipalSource(s)
	if err != nil {
		return accessTarget{}, wireError("InvalidInput", "ARN %s is not valid.", s)
	}
	if acct != c.AccountID || a.Partition != c.Partition {
		return accessTarget{}, store.NotFound(src.Kind, src.Name)
	}
	var name string
	switch src.Kind {
	case store.KindUser:
		u, err := tx.GetUser(c.AccountID, src.Name)
		if err != nil {
			return accessTarget{}, err
		}
		name = u.Name
	case store.KindGroup:
		g, err := tx.GetGroup(c.AccountID, src.Name)
		if err != nil {
			return accessTarget{}, err
		}
		name = g.Name
	case store.KindRole:
		r, err := tx.GetRole(c.AccountID, src.Name)
		if err != nil {
			return accessTarget{}, err
		}
		name = r.Name
	}
	return accessTarget{ARN: s, Kind: src.Kind, Name: name}, nil
}

func (s *Service) generateServiceLastAccessedDetails(ctx context.Context, c *service.Call, in *iamapi.GenerateServiceLastAccessedDetailsRequest) (*iamapi.GenerateServiceLastAccessedDetailsResponse, error) {
	job := accessJob{Account: c.AccountID, Granularity: iamapi.AccessAdvisorUsageGranularityTypeServiceLevel, Created: c.Now.Truncate(time.Millisecond).UTC()}
	if g := str(in.Granularity); g != "" {
		job.Granularity = g
	}
	err := s.store.View(ctx, func(tx store.Tx) error {
		t, err := resolveTarget(tx, c, in.Arn)
		job.ARN = t.ARN
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.GenerateServiceLastAccessedDetailsResponse{JobId: ptr(job.id())}, nil
}

// findJob finds the job an id names among the account's users, groups,
// roles and managed policies.
func findJob(tx store.Tx, c *service.Call, id string) (accessJob, error) {
	created, ok := parseJobID(id)
	if !ok {
		return accessJob{}, noSuchJob(id)
	}
	var candidates []string
	users, err := everyPage(func(m string) (store.Page[store.User], error) {
		return tx.ListUsers(c.AccountID, store.PathListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return accessJob{}, err
	}
	for _, u := range users {
		candidates = append(candidates, userARN(c.Partition, u.Account, u.Path, u.Name))
	}
	groups, err := everyPage(func(m string) (store.Page[store.Group], error) {
		return tx.ListGroups(c.AccountID, store.PathListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return accessJob{}, err
	}
	for _, g := range groups {
		candidates = append(candidates, groupARN(c.Partition, g.Account, g.Path, g.Name))
	}
	roles, err := everyPage(func(m string) (store.Page[store.Role], error) {
		return tx.ListRoles(c.AccountID, store.PathListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return accessJob{}, err
	}
	for _, r := range roles {
		candidates = append(candidates, roleARN(c.Partition, r.Account, r.Path, r.Name))
	}
	policies, err := everyPage(func(m string) (store.Page[store.Policy], error) {
		return tx.ListPolicies(c.AccountID, store.PolicyListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return accessJob{}, err
	}
	for _, p := range policies {
		candidates = append(candidates, p.ARN)
	}
	for _, p := range awsPolicies() {
		candidates = append(candidates, managedPolicyARN(c.Partition, "aws", p.Path, p.Name))
	}
	for _, a := range candidates {
		for _, g := range []string{iamapi.AccessAdvisorUsageGranularityTypeServiceLevel, iamapi.AccessAdvisorUsageGranularityTypeActionLevel} {
			j := accessJob{Account: c.AccountID, ARN: a, Granularity: g, Created: created}
			if j.id() == strings.ToLower(id) {
				return j, nil
			}
		}
	}
	return accessJob{}, noSuchJob(id)
}

// accessEntity is a user or role whose use a report shows.
type accessEntity struct {
	info iamapi.EntityInfo
	keys []store.AccessKey // a user's, with their last use
}

// lastUse returns the entity's last use of a service.
func (e accessEntity) lastUse(ns string) (time.Time, string, bool) {
	var at time.Time
	var region string
	for _, k := range e.keys {
		if strings.EqualFold(k.LastUsedService, ns) && k.LastUsed.After(at) {
			at, region = k.LastUsed, k.LastUsedRegion
		}
	}
	return at, region, !at.IsZero()
}

// accessReport is what a job's report is computed from.
type accessReport struct {
	grant    grant
	entities []accessEntity
}

// reportFor reads a job's target: the policies that grant it services,
// and the users and roles whose use counts (the user or role itself, a
// group's members, or every user and role a policy reaches directly or
// through a group).
func reportFor(tx store.Tx, c *service.Call, j accessJob) (accessReport, error) {
	t, err := resolveTarget(tx, c, j.ARN)
	if err != nil {
		return accessReport{}, err
	}
	var r accessReport
	var policies []*simPolicy
	seen := map[string]bool{}
	addUser := func(u store.User) error {
		if seen[u.ID] {
			return nil
		}
		seen[u.ID] = true
		keys, err := tx.ListAccessKeys(c.AccountID, u.Name, store.ListOptions{MaxItems: 1000})
		if err != nil {
			return err
		}
		r.entities = append(r.entities, accessEntity{keys: keys.Items, info: iamapi.EntityInfo{
			Arn: userARN(c.Partition, u.Account, u.Path, u.Name), Name: u.Name, Type: iamapi.PolicyOwnerEntityTypeUser, Id: u.ID, Path: ptr(u.Path)}})
		return nil
	}
	addRole := func(ro store.Role) {
		if !seen[ro.ID] {
			seen[ro.ID] = true
			r.entities = append(r.entities, accessEntity{info: iamapi.EntityInfo{
				Arn: roleARN(c.Partition, ro.Account, ro.Path, ro.Name), Name: ro.Name, Type: iamapi.PolicyOwnerEntityTypeRole, Id: ro.ID, Path: ptr(ro.Path)}})
		}
	}
	addMembers := func(group string) error {
		members, err := everyPage(func(m string) (store.Page[store.User], error) {
			return tx.ListGroupMembers(c.AccountID, group, store.ListOptions{Marker: m, MaxItems: 1000})
		})
		for _, u := range members {
			if err == nil {
				err = addUser(u)
			}
		}
		return err
	}
	switch t.Kind {
	case store.KindPolicy:
		policies = []*simPolicy{t.policy}
		ents, err := everyPage(func(m string) (store.Page[store.PolicyEntity], error) {
			return tx.ListEntitiesForPolicy(c.AccountID, t.ARN, "", store.ListOptions{Marker: m, MaxItems: 1000})
		})
		if err != nil {
			return r, err
		}
		for _, e := range ents {
			switch e.Kind {
			case store.KindUser:
				u, err := tx.GetUserByID(e.ID)
				if err == nil {
					err = addUser(u)
				}
				if err != nil {
					return r, err
				}
			case store.KindRole:
				ro, err := tx.GetRoleByID(e.ID)
				if err != nil {
					return r, err
				}
				addRole(ro)
			case store.KindGroup:
				if err := addMembers(e.Name); err != nil {
					return r, err
				}
			}
		}
	default:
		if policies, _, err = principalPolicies(tx, c, principalSource{ARN: t.ARN, Kind: t.Kind, Name: t.Name}); err != nil {
			return r, err
		}
		switch t.Kind {
		case store.KindUser:
			u, err := tx.GetUser(c.AccountID, t.Name)
			if err == nil {
				err = addUser(u)
			}
			if err != nil {
				return r, err
			}
		case store.KindGroup:
			if err := addMembers(t.Name); err != nil {
				return r, err
			}
		case store.KindRole:
			ro, err := tx.GetRole(c.AccountID, t.Name)
			if err != nil {
				return r, err
			}
			addRole(ro)
		}
	}
	for _, p := range policies {
		g := grantOf(p)
		r.grant.actions = append(r.grant.actions, g.actions...)
		r.grant.notActions = append(r.grant.notActions, g.notActions...)
	}
	return r, nil
}

// services renders the report's services, sorted by namespace.
func (r accessReport) services(granularity string) []iamapi.ServiceLastAccessed {
	out := []iamapi.ServiceLastAccessed{}
	for _, svc := range serviceCatalog() {
		if !r.grant.reaches(svc) {
			continue
		}
		sla := iamapi.ServiceLastAccessed{ServiceName: svc.Name, ServiceNamespace: svc.Namespace, TotalAuthenticatedEntities: ptr(int32(0))}
		var last time.Time
		for _, e := range r.entities {
			at, region, ok := e.lastUse(svc.Namespace)
			if !ok {
				continue
			}
			*sla.TotalAuthenticatedEntities++
			if at.After(last) {
				last = at
				sla.LastAuthenticated, sla.LastAuthenticatedEntity, sla.LastAuthenticatedRegion = ptr(at), ptr(e.info.Arn), ptr(region)
			}
		}
		if granularity == iamapi.AccessAdvisorUsageGranularityTypeActionLevel && trackedServices[svc.Namespace] {
			sla.TrackedActionsLastAccessed = []iamapi.TrackedActionLastAccessed{}
			for _, a := range r.grant.allowedActions(svc) {
				sla.TrackedActionsLastAccessed = append(sla.TrackedActionsLastAccessed, iamapi.TrackedActionLastAccessed{ActionName: ptr(a)})
			}
		}
		out = append(out, sla)
	}
	return out
}

// pageOf returns the [start, end) of one page of n items and the next
// marker, for lists computed whole.
func pageOf(list string, n int, marker *string, maxItems *int32) (int, int, *string, error) {
	key, err := decodeMarker(list, marker)
	if err != nil {
		return 0, 0, nil, err
	}
	start := 0
	if key != "" {
		if start, err = strconv.Atoi(key); err != nil || start <= 0 || start >= n {
			return 0, 0, nil, badMarker()
		}
	}
	end := min(start+pageSize(maxItems), n)
	var next *string
	if end < n {
		next = ptr(encodeMarker(list, strconv.Itoa(end)))
	}
	return start, end, next, nil
}

func (s *Service) getServiceLastAccessedDetails(ctx context.Context, c *service.Call, in *iamapi.GetServiceLastAccessedDetailsRequest) (*iamapi.GetServiceLastAccessedDetailsResponse, error) {
	var job accessJob
	var report accessReport
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if job, err = findJob(tx, c, in.JobId); err != nil {
			return err
		}
		report, err = reportFor(tx, c, job)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	services := report.services(job.Granularity)
	start, end, next, err := pageOf("services-last-accessed", len(services), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetServiceLastAccessedDetailsResponse{
		JobStatus: iamapi.JobStatusTypeCompleted, JobType: ptr(job.Granularity),
		JobCreationDate: job.Created, JobCompletionDate: job.Created,
		ServicesLastAccessed: services[start:end], IsTruncated: ptr(next != nil), Marker: next,
	}, nil
}

// getServiceLastAccessedDetailsWithEntities lists, for one service of a
// report, the users and roles whose permissions the report covers, with
// their last use of the service.
func (s *Service) getServiceLastAccessedDetailsWithEntities(ctx context.Context, c *service.Call, in *iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest) (*iamapi.GetServiceLastAccessedDetailsWithEntitiesResponse, error) {
	var job accessJob
	var report accessReport
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if job, err = findJob(tx, c, in.JobId); err != nil {
			return err
		}
		report, err = reportFor(tx, c, job)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	svc, ok := lookupService(in.ServiceNamespace)
	if !ok {
		return nil, wireError("InvalidInput", "Service namespace %s is not valid.", in.ServiceNamespace)
	}
	details := []iamapi.EntityDetails{}
	if report.grant.reaches(svc) {
		for _, e := range report.entities {
			d := iamapi.EntityDetails{EntityInfo: e.info}
			if at, _, ok := e.lastUse(svc.Namespace); ok {
				d.LastAuthenticated = ptr(at)
			}
			details = append(details, d)
		}
	}
	start, end, next, err := pageOf("entities-last-accessed", len(details), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetServiceLastAccessedDetailsWithEntitiesResponse{
		JobStatus: iamapi.JobStatusTypeCompleted, JobCreationDate: job.Created, JobCompletionDate: job.Created,
		EntityDetailsList: details[start:end], IsTruncated: ptr(next != nil), Marker: next,
	}, nil
}

// listPoliciesGrantingServiceAccess lists, for each namespace asked, the
// policies of a user (its groups' included), group or role that allow
// some action of the service: inline ones with the entity that holds
// them, managed ones by ARN.
func (s *Service) listPoliciesGrantingServiceAccess(ctx context.Context, c *service.Call, in *iamapi.ListPoliciesGrantingServiceAccessRequest) (*iamapi.ListPoliciesGrantingServiceAccessResponse, error) {
	if str(in.Marker) != "" {
		return nil, badMarker() // the whole answer is one page
	}
	src, acct, err := parsePrincipalSource(in.Arn)
	if err != nil {
		return nil, wireError("InvalidInput", "ARN %s is not valid.", in.Arn)
	}
	var services []awsService
	for _, ns := range in.ServiceNamespaces {
		svc, ok := lookupService(ns)
		if !ok {
			return nil, wireError("InvalidInput", "Service namespace %s is not valid.", ns)
		}
		services = append(services, svc)
	}
	var policies []*simPolicy
	err = s.store.View(ctx, func(tx store.Tx) error {
		if acct != c.AccountID {
			return store.NotFound(src.Kind, src.Name)
		}
		var err error
		policies, _, err = principalPolicies(tx, c, src)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListPoliciesGrantingServiceAccessResponse{PoliciesGrantingServiceAccess: []iamapi.ListPoliciesGrantingServiceAccessEntry{}, IsTruncated: ptr(false)}
	for _, svc := range services {
		entry := iamapi.ListPoliciesGrantingServiceAccessEntry{ServiceNamespace: ptr(svc.Namespace), Policies: []iamapi.PolicyGrantingServiceAccess{}}
		for _, p := range policies {
			if !grantOf(p).reaches(svc) {
				continue
			}
			pg := iamapi.PolicyGrantingServiceAccess{PolicyName: p.id, PolicyType: iamapi.PolicyTypeManaged}
			if p.inline {
				pg.PolicyType = iamapi.PolicyTypeInline
				pg.EntityType = ptr(strings.ToUpper(holderWord(p.holder.Kind)))
				pg.EntityName = ptr(p.holder.Name)
			} else {
				pg.PolicyArn = ptr(p.arn)
			}
			entry.Policies = append(entry.Policies, pg)
		}
		out.PoliciesGrantingServiceAccess = append(out.PoliciesGrantingServiceAccess, entry)
	}
	return out, nil
}
