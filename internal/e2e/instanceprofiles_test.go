package e2e_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func profileRoleNames(p *iamtypes.InstanceProfile) []string {
	var out []string
	for _, r := range p.Roles {
		out = append(out, aws.ToString(r.RoleName))
	}
	return out
}

// TestInstanceProfiles walks every instance profile operation through its
// happy, not-found, conflict and quota paths.
func TestInstanceProfiles(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	id, err := in.STS(admin).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := aws.ToString(id.Account)
	for _, name := range []string{"web", "worker"} {
		if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
			t.Fatal(err)
		}
	}

	before := time.Now().Add(-2 * time.Second)
	cp, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{
		InstanceProfileName: aws.String("web-profile"),
		Path:                aws.String("/app/"),
		Tags:                []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := cp.InstanceProfile
	t.Run("CreateInstanceProfile answers the profile", func(t *testing.T) {
		if got, want := aws.ToString(p.Arn), "arn:aws:iam::"+acct+":instance-profile/app/web-profile"; got != want {
			t.Errorf("Arn %q, want %q", got, want)
		}
		if !regexp.MustCompile(`^AIPA[A-Z2-7]{17}$`).MatchString(aws.ToString(p.InstanceProfileId)) {
			t.Errorf("InstanceProfileId %q", aws.ToString(p.InstanceProfileId))
		}
		if p.CreateDate == nil || p.CreateDate.Before(before) || len(p.Roles) != 0 || aws.ToString(p.Path) != "/app/" {
			t.Errorf("profile %+v", p)
		}
		if fmt.Sprint(tagPairs(p.Tags)) != "[team=blue]" {
			t.Errorf("tags %v", tagPairs(p.Tags))
		}
	})

	t.Run("CreateInstanceProfile refusals", func(t *testing.T) {
		_, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB-PROFILE")})
		apiErr(t, err, "EntityAlreadyExists", "Instance Profile WEB-PROFILE already exists.")
		_, err = c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("p2"),
			Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}})
		apiErr(t, err, "InvalidInput", "Duplicate tag keys")
		_, err = c.GetInstanceProfile(cx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("p2")})
		apiErr(t, err, "NoSuchEntity", "Instance Profile p2 cannot be found.")
	})

	t.Run("AddRoleToInstanceProfile", func(t *testing.T) {
		if _, err := c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("WEB")}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, profile, role, code, msg string
		}{
			{"a second role", "web-profile", "worker", "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"},
			{"the same role again", "web-profile", "web", "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"},
			{"missing role", "web-profile", "nobody", "NoSuchEntity", "The role with name nobody cannot be found."},
			{"missing profile", "nothing", "web", "NoSuchEntity", "Instance Profile nothing cannot be found."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(tt.profile), RoleName: aws.String(tt.role)})
				apiErr(t, err, tt.code, tt.msg)
			})
		}
	})

	t.Run("GetInstanceProfile", func(t *testing.T) {
		g, err := c.GetInstanceProfile(cx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("Web-Profile")})
		if err != nil {
			t.Fatal(err)
		}
		gp := g.InstanceProfile
		if aws.ToString(gp.InstanceProfileName) != "web-profile" || aws.ToString(gp.InstanceProfileId) != aws.ToString(p.InstanceProfileId) {
			t.Errorf("profile %+v", gp)
		}
		if fmt.Sprint(profileRoleNames(gp)) != "[web]" || trustOf(t, &gp.Roles[0]) != ec2Trust {
			t.Fatalf("roles %v", profileRoleNames(gp))
		}
		if !roleIDRE.MatchString(aws.ToString(gp.Roles[0].RoleId)) || aws.ToString(gp.Roles[0].Arn) != "arn:aws:iam::"+acct+":role/web" {
			t.Errorf("profile's role %+v", gp.Roles[0])
		}
		if fmt.Sprint(tagPairs(gp.Tags)) != "[team=blue]" {
			t.Errorf("tags %v", tagPairs(gp.Tags))
		}
		_, err = c.GetInstanceProfile(cx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("nothing")})
		apiErr(t, err, "NoSuchEntity", "Instance Profile nothing cannot be found.")
	})

	t.Run("ListInstanceProfiles", func(t *testing.T) {
		for i := range 3 {
			if _, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(fmt.Sprintf("batch%d", i)), Path: aws.String("/batch/")}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]int{}
		pager := iam.NewListInstanceProfilesPaginator(c, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(3)})
		for pager.HasMorePages() {
			page, err := pager.NextPage(cx)
			if err != nil {
				t.Fatal(err)
			}
			for _, lp := range page.InstanceProfiles {
				seen[aws.ToString(lp.InstanceProfileName)] = len(lp.Roles)
				if lp.Tags != nil {
					t.Errorf("ListInstanceProfiles returned tags for %s", aws.ToString(lp.InstanceProfileName))
				}
			}
		}
		if fmt.Sprint(seen) != "map[batch0:0 batch1:0 batch2:0 web-profile:1]" {
			t.Errorf("listed profiles (name: roles) %v", seen)
		}
		b, err := c.ListInstanceProfiles(cx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/batch/")})
		if err != nil || len(b.InstanceProfiles) != 3 || b.IsTruncated {
			t.Errorf("PathPrefix /batch/: %+v, %v", b, err)
		}
	})

	t.Run("ListInstanceProfilesForRole", func(t *testing.T) {
		l, err := c.ListInstanceProfilesForRole(cx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.InstanceProfiles) != 1 || aws.ToString(l.InstanceProfiles[0].InstanceProfileName) != "web-profile" ||
			fmt.Sprint(profileRoleNames(&l.InstanceProfiles[0])) != "[web]" || l.IsTruncated {
			t.Errorf("profiles for web: %+v", l.InstanceProfiles)
		}
		l, err = c.ListInstanceProfilesForRole(cx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("worker")})
		if err != nil || len(l.InstanceProfiles) != 0 {
			t.Errorf("profiles for worker: %+v, %v", l, err)
		}
		_, err = c.ListInstanceProfilesForRole(cx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
	})

	t.Run("tags", func(t *testing.T) {
		// Instance profile tag keys keep their case: "TEAM" is another tag.
		if _, err := c.TagInstanceProfile(cx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Tags: []iamtypes.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("red")}, {Key: aws.String("team"), Value: aws.String("green")}}}); err != nil {
			apiErr(t, err, "InvalidInput", "Duplicate tag keys")
		} else {
			t.Fatal("keys differing only in case in one request were accepted")
		}
		if _, err := c.TagInstanceProfile(cx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Tags: []iamtypes.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("red")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.TagInstanceProfile(cx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Tags: []iamtypes.Tag{
			{Key: aws.String("team"), Value: aws.String("green")}}}); err != nil {
			t.Fatal(err)
		}
		lt, err := c.ListInstanceProfileTags(cx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-profile")})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tagPairs(lt.Tags)); got != "[team=green TEAM=red]" {
			t.Errorf("tags %s, want [team=green TEAM=red]", got)
		}
		var many []iamtypes.Tag
		for i := range 49 {
			many = append(many, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		_, err = c.TagInstanceProfile(cx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Tags: many})
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for TagsPerInstanceProfile: 50")
		_, err = c.TagInstanceProfile(cx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("nothing"), Tags: many[:1]})
		apiErr(t, err, "NoSuchEntity", "Instance Profile nothing cannot be found.")
		if _, err := c.UntagInstanceProfile(cx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), TagKeys: []string{"TEAM", "absent"}}); err != nil {
			t.Fatal(err)
		}
		lt, err = c.ListInstanceProfileTags(cx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-profile")})
		if err != nil || fmt.Sprint(tagPairs(lt.Tags)) != "[team=green]" {
			t.Errorf("tags after untag %v, %v", tagPairs(lt.Tags), err)
		}
		_, err = c.UntagInstanceProfile(cx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("nothing"), TagKeys: []string{"a"}})
		apiErr(t, err, "NoSuchEntity", "Instance Profile nothing cannot be found.")
		_, err = c.ListInstanceProfileTags(cx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nothing")})
		apiErr(t, err, "NoSuchEntity", "Instance Profile nothing cannot be found.")
	})

	t.Run("RemoveRoleFromInstanceProfile and DeleteInstanceProfile", func(t *testing.T) {
		_, err := c.DeleteInstanceProfile(cx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		apiErr(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
		_, err = c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("worker")})
		apiErr(t, err, "NoSuchEntity", "worker")
		_, err = c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("nothing"), RoleName: aws.String("web")})
		apiErr(t, err, "NoSuchEntity", "Instance Profile nothing cannot be found.")
		_, err = c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		if _, err := c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")})
		apiErr(t, err, "NoSuchEntity", "web")
		// With the role gone, the profile takes another.
		if _, err := c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("worker")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("worker")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteInstanceProfile(cx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("WEB-profile")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetInstanceProfile(cx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		apiErr(t, err, "NoSuchEntity", "Instance Profile web-profile cannot be found.")
		_, err = c.DeleteInstanceProfile(cx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		apiErr(t, err, "NoSuchEntity", "Instance Profile web-profile cannot be found.")
		// Re-created, it is a new profile without the old tags.
		if _, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile")}); err != nil {
			t.Fatal(err)
		}
		lt, err := c.ListInstanceProfileTags(cx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-profile")})
		if err != nil || len(lt.Tags) != 0 {
			t.Errorf("re-created profile has tags %v (%v)", tagPairs(lt.Tags), err)
		}
	})

	t.Run("service-linked roles stay out of instance profiles", func(t *testing.T) {
		s, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: s.Role.RoleName})
		apiErr(t, err, "UnmodifiableEntity", "Cannot perform the operation on the protected role 'AWSServiceRoleForECS'")
	})
}

// TestInstanceProfileQuota fills an account's quota of 1,000 instance
// profiles.
func TestInstanceProfileQuota(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	c := in.IAM(creds{ID: "testing", Secret: "testing"})
	cx := ctx(t)
	for i := range 1000 {
		if _, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(fmt.Sprintf("p%04d", i))}); err != nil {
			t.Fatalf("profile %d: %v", i, err)
		}
	}
	_, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("one-more")})
	apiErr(t, err, "LimitExceeded", "Cannot exceed quota for InstanceProfilesPerAccount: 1000")
}
