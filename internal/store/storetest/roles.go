package storetest

import (
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func (f *fixture) role(account, name, path string) store.Role {
	f.tb.Helper()
	r := store.Role{Account: account, ID: awsid.Unique(awsid.Role), Name: name, Path: path, Created: f.tick(),
		AssumeRolePolicy: trustEC2, MaxSessionDuration: 3600}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateRole(r) })
	return r
}

func testRoles(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	r := store.Role{
		Account: a.ID, ID: awsid.Unique(awsid.Role), Name: "AWSServiceRoleForSupport", Path: "/aws-service-role/support.amazonaws.com/",
		Created: f.now, AssumeRolePolicy: trustEC2, Description: "Enables support", MaxSessionDuration: 3600,
		PermissionsBoundary: "arn:aws:iam::aws:policy/ReadOnlyAccess",
	}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateRole(r) })

	t.Run("Get", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetRole(a.ID, "awsservicerolefor"+"SUPPORT")
			noErr(t, err, "GetRole")
			if got.ID != r.ID || got.Name != r.Name || got.Path != r.Path || got.AssumeRolePolicy != r.AssumeRolePolicy ||
				got.Description != r.Description || got.MaxSessionDuration != 3600 || got.PermissionsBoundary != r.PermissionsBoundary ||
				!got.LastUsed.IsZero() || got.LastUsedRegion != "" || got.Account != a.ID {
				t.Fatalf("GetRole = %+v, want %+v", got, r)
			}
			sameTime(t, "Created", got.Created, r.Created)
			byID, err := tx.GetRoleByID(r.ID)
			noErr(t, err, "GetRoleByID")
			if byID.Name != r.Name {
				t.Fatalf("GetRoleByID = %+v", byID)
			}
			_, err = tx.GetRole(other.ID, r.Name)
			wantErr(t, err, store.ErrNotFound, store.KindRole)
			_, err = tx.GetRoleByID("AROANOSUCHROLE000000")
			wantErr(t, err, store.ErrNotFound, store.KindRole)
			n, err := tx.CountRoles(a.ID)
			noErr(t, err, "CountRoles")
			if n != 1 {
				t.Fatalf("CountRoles = %d", n)
			}
			return nil
		})
	})

	t.Run("CreateConflicts", func(t *testing.T) {
		base := func(name, id, account string) store.Role {
			return store.Role{Account: account, ID: id, Name: name, Path: "/", Created: f.now, AssumeRolePolicy: trustEC2, MaxSessionDuration: 3600}
		}
		noTrust := base("x", awsid.Unique(awsid.Role), a.ID)
		noTrust.AssumeRolePolicy = ""
		cases := []struct {
			name     string
			role     store.Role
			sentinel error
			kind     store.Kind
		}{
			{"name differing in case", base("awsserviceroleforsupport", awsid.Unique(awsid.Role), a.ID), store.ErrAlreadyExists, store.KindRole},
			{"same id", base("x", r.ID, a.ID), store.ErrAlreadyExists, store.KindRole},
			{"missing account", base("x", awsid.Unique(awsid.Role), "000000000000"), store.ErrNotFound, store.KindAccount},
			{"no trust policy", noTrust, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(func(tx store.Tx) error { return tx.CreateRole(c.role) }), c.sentinel, c.kind)
			})
		}
		// A role may share its name with a user and a group.
		f.user(a.ID, "shared-name", "/")
		f.group(a.ID, "shared-name", "/")
		f.role(a.ID, "shared-name", "/")
	})

	t.Run("Update", func(t *testing.T) {
		q := f.role(a.ID, "updatable", "/")
		newDesc, empty := "new description", ""
		newTrust := `{"Version":"2012-10-17","Statement":[]}`
		steps := []struct {
			name  string
			upd   store.RoleUpdate
			check func(store.Role) bool
		}{
			{"description", store.RoleUpdate{Description: &newDesc}, func(r store.Role) bool {
				return r.Description == newDesc && r.MaxSessionDuration == 3600 && r.AssumeRolePolicy == trustEC2
			}},
			{"max session duration", store.RoleUpdate{MaxSessionDuration: 43200}, func(r store.Role) bool {
				return r.Description == newDesc && r.MaxSessionDuration == 43200
			}},
			{"trust policy", store.RoleUpdate{AssumeRolePolicy: newTrust}, func(r store.Role) bool {
				return r.AssumeRolePolicy == newTrust && r.MaxSessionDuration == 43200
			}},
			{"clear description", store.RoleUpdate{Description: &empty}, func(r store.Role) bool {
				return r.Description == "" && r.AssumeRolePolicy == newTrust
			}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				var got store.Role
				f.mustUpdate(func(tx store.Tx) (err error) {
					got, err = tx.UpdateRole(a.ID, "UPDATABLE", s.upd)
					return err
				})
				if !s.check(got) {
					t.Fatalf("UpdateRole returned %+v", got)
				}
				f.mustView(func(tx store.Tx) error {
					stored, err := tx.GetRoleByID(q.ID)
					noErr(t, err, "GetRoleByID")
					if !s.check(stored) {
						t.Fatalf("stored role %+v", stored)
					}
					return nil
				})
			})
		}
		err := f.update(func(tx store.Tx) error {
			_, err := tx.UpdateRole(a.ID, "nobody", store.RoleUpdate{MaxSessionDuration: 7200})
			return err
		})
		wantErr(t, err, store.ErrNotFound, store.KindRole)
		f.mustUpdate(func(tx store.Tx) error {
			return tx.SetRolePermissionsBoundary(a.ID, q.Name, "arn:aws:iam::aws:policy/PowerUserAccess")
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetRole(a.ID, q.Name)
			noErr(t, err, "GetRole")
			if got.PermissionsBoundary != "arn:aws:iam::aws:policy/PowerUserAccess" {
				t.Fatalf("boundary = %q", got.PermissionsBoundary)
			}
			return nil
		})
		wantErr(t, f.update(func(tx store.Tx) error { return tx.SetRolePermissionsBoundary(a.ID, "nobody", "") }), store.ErrNotFound, store.KindRole)
	})

	t.Run("Delete", func(t *testing.T) {
		cases := []struct {
			name   string
			add    func(tx store.Tx, role string) error
			remove func(tx store.Tx, role string) error
		}{
			{
				"attached policy",
				func(tx store.Tx, role string) error {
					return tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindRole, Name: role}, adminPolicy)
				},
				func(tx store.Tx, role string) error {
					return tx.DetachPolicy(a.ID, store.Entity{Kind: store.KindRole, Name: role}, adminPolicy.ARN)
				},
			},
			{
				"inline policy",
				func(tx store.Tx, role string) error {
					return tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindRole, Name: role}, store.InlinePolicy{Name: "p", Document: "{}"})
				},
				func(tx store.Tx, role string) error {
					return tx.DeleteInlinePolicy(a.ID, store.Entity{Kind: store.KindRole, Name: role}, "p")
				},
			},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q := f.role(a.ID, "doomed-"+c.name, "/")
				f.mustUpdate(func(tx store.Tx) error { return c.add(tx, q.Name) })
				f.mustView(func(tx store.Tx) error {
					d, err := tx.RoleDependencies(a.ID, q.Name)
					noErr(t, err, "RoleDependencies")
					if !d.Any() {
						t.Fatalf("RoleDependencies = %+v", d)
					}
					return nil
				})
				wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteRole(a.ID, q.Name) }), store.ErrConflict, store.KindRole)
				f.mustUpdate(func(tx store.Tx) error { return c.remove(tx, q.Name) })
				f.mustUpdate(func(tx store.Tx) error { return tx.DeleteRole(a.ID, q.Name) })
			})
		}
		q := f.role(a.ID, "tagged-role", "/")
		ref := store.ResourceRef{Account: a.ID, Kind: store.KindRole, ID: q.ID}
		f.mustUpdate(func(tx store.Tx) error {
			return tx.TagResource(ref, []store.Tag{{Key: "Env", Value: "prod"}, {Key: "env", Value: "dev"}})
		})
		f.mustView(func(tx store.Tx) error {
			p, err := tx.ListTags(ref, store.ListOptions{})
			noErr(t, err, "ListTags")
			// Role tag keys ignore case, like user tag keys.
			wantNames(t, "role tags", names(p.Items, tagString), []string{"env=dev"})
			return nil
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteRole(a.ID, q.Name) })
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteRole(a.ID, q.Name) }), store.ErrNotFound, store.KindRole)
		wantErr(t, f.view(func(tx store.Tx) error { _, err := tx.RoleDependencies(a.ID, "nobody"); return err }), store.ErrNotFound, store.KindRole)
	})

	t.Run("PoliciesOfRoles", func(t *testing.T) {
		q := f.role(a.ID, "holder", "/")
		e := store.Entity{Kind: store.KindRole, Name: "HOLDER"}
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.AttachPolicy(a.ID, e, adminPolicy), "AttachPolicy")
			return tx.PutInlinePolicy(a.ID, e, store.InlinePolicy{Name: "inline", Document: "{}"})
		})
		f.mustView(func(tx store.Tx) error {
			p, err := tx.ListEntitiesForPolicy(a.ID, adminPolicy.ARN, store.KindRole, store.ListOptions{})
			noErr(t, err, "ListEntitiesForPolicy")
			if len(p.Items) != 1 || p.Items[0].Name != "holder" || p.Items[0].ID != q.ID || p.Items[0].Kind != store.KindRole {
				t.Fatalf("roles of the policy = %+v", p.Items)
			}
			n, err := tx.CountInlinePolicies(a.ID, e)
			noErr(t, err, "CountInlinePolicies")
			if n != 1 {
				t.Fatalf("CountInlinePolicies = %d", n)
			}
			return nil
		})
	})

	t.Run("RecordUse", func(t *testing.T) {
		q := f.role(a.ID, "used", "/")
		t1 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		f.mustUpdate(func(tx store.Tx) error {
			return tx.RecordRoleUse([]store.RoleUse{
				{RoleID: q.ID, Time: t1.Add(time.Minute), Region: "eu-central-1"},
				{RoleID: q.ID, Time: t1, Region: "us-east-1"},
				{RoleID: "AROADELETED000000000", Time: t1, Region: "us-east-1"},
			})
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetRoleByID(q.ID)
			noErr(t, err, "GetRoleByID")
			sameTime(t, "LastUsed", got.LastUsed, t1.Add(time.Minute))
			if got.LastUsedRegion != "eu-central-1" {
				t.Fatalf("LastUsedRegion = %q", got.LastUsedRegion)
			}
			return nil
		})
	})

	t.Run("DeletionTasks", func(t *testing.T) {
		task := store.DeletionTask{ID: "task/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport/1", Account: a.ID,
			RoleName: r.Name, Status: "IN_PROGRESS", Created: f.now}
		f.mustUpdate(func(tx store.Tx) error { return tx.PutDeletionTask(task) })
		task.Status, task.Reason = "FAILED", "role in use"
		f.mustUpdate(func(tx store.Tx) error { return tx.PutDeletionTask(task) })
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetDeletionTask(a.ID, task.ID)
			noErr(t, err, "GetDeletionTask")
			if got.Status != "FAILED" || got.Reason != "role in use" || got.RoleName != r.Name {
				t.Fatalf("GetDeletionTask = %+v", got)
			}
			_, err = tx.GetDeletionTask(other.ID, task.ID)
			wantErr(t, err, store.ErrNotFound, store.KindRole)
			return nil
		})
		stolen := task
		stolen.Account = other.ID
		wantErr(t, f.update(func(tx store.Tx) error { return tx.PutDeletionTask(stolen) }), store.ErrAlreadyExists, store.KindRole)
	})
}
