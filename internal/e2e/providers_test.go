package e2e_test

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// thumbprint returns a 40-hex-digit thumbprint made of one repeated digit.
func thumbprint(c byte) string { return strings.Repeat(string(c), 40) }

// TestOpenIDConnectProviders walks every OIDC provider operation through
// its happy, not-found, conflict, invalid-input and quota paths.
func TestOpenIDConnectProviders(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := callerAccount(t, in, admin)
	arn := "arn:aws:iam::" + acct + ":oidc-provider/token.example.com/tenant"

	t.Run("create", func(t *testing.T) {
		out, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{
			Url:            aws.String("https://token.example.com/tenant"),
			ClientIDList:   []string{"sts.amazonaws.com", "app", "app"},
			ThumbprintList: []string{thumbprint('a')},
			Tags:           []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ci")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.OpenIDConnectProviderArn) != arn {
			t.Errorf("ARN %q, want %q", aws.ToString(out.OpenIDConnectProviderArn), arn)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[team=ci]" {
			t.Errorf("Tags %s", got)
		}
	})

	get := func(t *testing.T) *iam.GetOpenIDConnectProviderOutput {
		t.Helper()
		out, err := c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("get", func(t *testing.T) {
		out := get(t)
		if aws.ToString(out.Url) != "token.example.com/tenant" || fmt.Sprint(out.ClientIDList) != "[sts.amazonaws.com app]" ||
			fmt.Sprint(out.ThumbprintList) != "["+thumbprint('a')+"]" || out.CreateDate == nil || time.Since(*out.CreateDate) > time.Minute {
			t.Errorf("got %+v", out)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[team=ci]" {
			t.Errorf("Tags %s", got)
		}
	})

	t.Run("create refusals", func(t *testing.T) {
		cases := []struct {
			name, url       string
			clients, thumbs []string
			code, msg       string
		}{
			{name: "same URL", url: "https://token.example.com/tenant", code: "EntityAlreadyExists", msg: "Provider with url https://token.example.com/tenant already exists."},
			{name: "no scheme", url: "example.org", code: "ValidationError", msg: "Invalid Open ID Connect Provider URL"},
			{name: "http", url: "http://example.org", code: "ValidationError", msg: "Invalid Open ID Connect Provider URL"},
			{name: "query", url: "https://example.org/?a=b", code: "ValidationError", msg: "Invalid Open ID Connect Provider URL"},
			{name: "six thumbprints", url: "https://six.example.com", thumbs: []string{thumbprint('1'), thumbprint('2'), thumbprint('3'), thumbprint('4'), thumbprint('5'), thumbprint('6')},
				code: "InvalidInput", msg: "Thumbprint list must contain fewer than 5 entries."},
			{name: "101 client ids", url: "https://many.example.com", clients: numbered("client", 101), code: "LimitExceeded", msg: "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(tc.url), ClientIDList: tc.clients, ThumbprintList: tc.thumbs})
				apiErr(t, err, tc.code, tc.msg)
			})
		}
	})

	t.Run("thumbprints are optional", func(t *testing.T) {
		out, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://nothumb.example.com"), ClientIDList: numbered("client", 100)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: out.OpenIDConnectProviderArn})
		if err != nil || len(p.ThumbprintList) != 0 || len(p.ClientIDList) != 100 {
			t.Fatalf("got %+v, %v", p, err)
		}
		_, err = c.AddClientIDToOpenIDConnectProvider(cx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: out.OpenIDConnectProviderArn, ClientID: aws.String("one-more")})
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
		// Adding one it has is not a change, so no quota applies.
		if _, err := c.AddClientIDToOpenIDConnectProvider(cx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: out.OpenIDConnectProviderArn, ClientID: aws.String("client-001")}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("client ids", func(t *testing.T) {
		for _, id := range []string{"web", "web"} { // adding twice is not an error
			if _, err := c.AddClientIDToOpenIDConnectProvider(cx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []string{"app", "never-added"} { // removing an absent one is not an error
			if _, err := c.RemoveClientIDFromOpenIDConnectProvider(cx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		}
		if got := fmt.Sprint(get(t).ClientIDList); got != "[sts.amazonaws.com web]" {
			t.Errorf("client ids %s", got)
		}
	})

	t.Run("update thumbprints", func(t *testing.T) {
		if _, err := c.UpdateOpenIDConnectProviderThumbprint(cx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
			OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{thumbprint('c'), thumbprint('d')},
		}); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(get(t).ThumbprintList); got != "["+thumbprint('c')+" "+thumbprint('d')+"]" {
			t.Errorf("thumbprints %s", got)
		}
		_, err := c.UpdateOpenIDConnectProviderThumbprint(cx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
			OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{thumbprint('1'), thumbprint('2'), thumbprint('3'), thumbprint('4'), thumbprint('5'), thumbprint('6')},
		})
		apiErr(t, err, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
	})

	t.Run("tags", func(t *testing.T) {
		if _, err := c.TagOpenIDConnectProvider(cx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: []iamtypes.Tag{
			{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("platform")},
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UntagOpenIDConnectProvider(cx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListOpenIDConnectProviderTags(cx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil || out.IsTruncated {
			t.Fatal(out, err)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[team=platform]" {
			t.Errorf("tags %s", got)
		}
		var tags []iamtypes.Tag
		for i := range 49 {
			tags = append(tags, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		if _, err := c.TagOpenIDConnectProvider(cx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: tags}); err != nil {
			t.Fatalf("up to 50 tags: %v", err)
		}
		page, err := c.ListOpenIDConnectProviderTags(cx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn), MaxItems: aws.Int32(20)})
		if err != nil || !page.IsTruncated || len(page.Tags) != 20 {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		_, err = c.TagOpenIDConnectProvider(cx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: []iamtypes.Tag{{Key: aws.String("string"), Value: aws.String("string")}}})
		apiErr(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
	})

	t.Run("list", func(t *testing.T) {
		out, err := c.ListOpenIDConnectProviders(cx, &iam.ListOpenIDConnectProvidersInput{})
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, p := range out.OpenIDConnectProviderList {
			arns = append(arns, aws.ToString(p.Arn))
		}
		if !sameSet(arns, []string{arn, "arn:aws:iam::" + acct + ":oidc-provider/nothumb.example.com"}) {
			t.Errorf("providers %v", arns)
		}
	})

	t.Run("not found and bad ARNs", func(t *testing.T) {
		missing := aws.String("arn:aws:iam::" + acct + ":oidc-provider/non-existent.example.com")
		_, err := c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: missing})
		apiErr(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+aws.ToString(missing))
		_, err = c.AddClientIDToOpenIDConnectProvider(cx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: missing, ClientID: aws.String("x")})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.RemoveClientIDFromOpenIDConnectProvider(cx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: missing, ClientID: aws.String("x")})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.UpdateOpenIDConnectProviderThumbprint(cx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: missing, ThumbprintList: []string{thumbprint('a')}})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.TagOpenIDConnectProvider(cx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: missing, Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.UntagOpenIDConnectProvider(cx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: missing, TagKeys: []string{"k"}})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.ListOpenIDConnectProviderTags(cx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: missing})
		apiErr(t, err, "NoSuchEntity", "")
		// Another account's provider is not the caller's.
		_, err = c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(strings.Replace(arn, acct, "111111111111", 1))})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::" + acct + ":role/not-a-provider")})
		apiErr(t, err, "InvalidInput", "is not valid")
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := c.DeleteOpenIDConnectProvider(cx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.DeleteOpenIDConnectProvider(cx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		apiErr(t, err, "NoSuchEntity", "OpenId connect Provider "+arn+" cannot be found.")
		_, err = c.GetOpenIDConnectProvider(cx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		apiErr(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
		// The URL is free again, without the old provider's tags.
		if _, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.example.com/tenant")}); err != nil {
			t.Fatal(err)
		}
		if tags := get(t).Tags; len(tags) != 0 {
			t.Errorf("a new provider inherited tags %v", tagPairs(tags))
		}
	})
}

// numbered returns n strings prefix-001, prefix-002, ...
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%03d", prefix, i+1)
	}
	return out
}

// idpMetadata is a SAML 2.0 identity provider metadata document with the
// certificate as its signing key (as an encryption key only when use is
// "encryption").
func idpMetadata(entity string, cert *pkiCert, use string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entity + `">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="` + use + `">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>` + base64.StdEncoding.EncodeToString(cert.Cert.Raw) + `</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + entity + `/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

var samlUUIDRE = regexp.MustCompile(`^[A-Z0-9]{22,64}$`)

// TestSAMLProviders walks every SAML provider operation through its happy,
// not-found, conflict, invalid-metadata and quota paths, and the private
// keys for encrypted assertions.
func TestSAMLProviders(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := callerAccount(t, in, admin)
	arn := "arn:aws:iam::" + acct + ":saml-provider/MyIdP"
	signing := pkiIssue(t, "idp.example.com", nil, time.Now().Add(-time.Hour), time.Now().AddDate(3, 0, 0), true)
	metadata := idpMetadata("https://idp.example.com", signing, "signing")

	var created time.Time
	t.Run("create", func(t *testing.T) {
		out, err := c.CreateSAMLProvider(cx, &iam.CreateSAMLProviderInput{
			Name: aws.String("MyIdP"), SAMLMetadataDocument: aws.String(metadata),
			Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("sso")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.SAMLProviderArn) != arn {
			t.Errorf("ARN %q, want %q", aws.ToString(out.SAMLProviderArn), arn)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[team=sso]" {
			t.Errorf("Tags %s", got)
		}
	})

	get := func(t *testing.T) *iam.GetSAMLProviderOutput {
		t.Helper()
		out, err := c.GetSAMLProvider(cx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("get", func(t *testing.T) {
		out := get(t)
		if aws.ToString(out.SAMLMetadataDocument) != metadata || out.CreateDate == nil || out.ValidUntil == nil ||
			out.AssertionEncryptionMode != iamtypes.AssertionEncryptionModeTypeAllowed || len(out.PrivateKeyList) != 0 ||
			!samlUUIDRE.MatchString(aws.ToString(out.SAMLProviderUUID)) {
			t.Fatalf("got %+v", out)
		}
		created = *out.CreateDate
		// Without a validUntil in the metadata, AWS shows one hundred
		// years after creation.
		if want := created.AddDate(100, 0, 0); !out.ValidUntil.Equal(want) {
			t.Errorf("ValidUntil %v, want %v", out.ValidUntil, want)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[team=sso]" {
			t.Errorf("Tags %s", got)
		}
	})

	t.Run("create refusals", func(t *testing.T) {
		cases := []struct {
			name, provider, doc, code, msg string
		}{
			{name: "same name", provider: "myidp", doc: metadata, code: "EntityAlreadyExists", msg: "myidp"},
			{name: "not XML", provider: "bad", doc: strings.Repeat("not xml ", 200), code: "InvalidInput", msg: "Could not parse metadata"},
			{name: "no signing certificate", provider: "bad", doc: idpMetadata("https://idp.example.com", signing, "encryption"), code: "InvalidInput", msg: "Could not parse metadata"},
			{name: "certificate not X.509", provider: "bad", doc: strings.Replace(metadata, "<ds:X509Certificate>", "<ds:X509Certificate>QUJD", 1), code: "InvalidInput", msg: "Could not parse metadata"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.CreateSAMLProvider(cx, &iam.CreateSAMLProviderInput{Name: aws.String(tc.provider), SAMLMetadataDocument: aws.String(tc.doc)})
				apiErr(t, err, tc.code, tc.msg)
			})
		}
		_, err := c.CreateSAMLProvider(cx, &iam.CreateSAMLProviderInput{Name: aws.String("Encrypted"), SAMLMetadataDocument: aws.String(metadata),
			AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired})
		apiErr(t, err, "InvalidInput", "private key")
	})

	t.Run("update metadata", func(t *testing.T) {
		next := idpMetadata("https://updated-idp.example.com", pkiValid(t, "updated-idp.example.com", nil), "")
		out, err := c.UpdateSAMLProvider(cx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(next)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.SAMLProviderArn) != arn {
			t.Errorf("ARN %q", aws.ToString(out.SAMLProviderArn))
		}
		if got := get(t); aws.ToString(got.SAMLMetadataDocument) != next || !got.CreateDate.Equal(created) {
			t.Errorf("after update: %+v", got)
		}
		_, err = c.UpdateSAMLProvider(cx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(strings.Repeat("<x/>", 300))})
		apiErr(t, err, "InvalidInput", "Could not parse metadata")
	})

	t.Run("private keys for encrypted assertions", func(t *testing.T) {
		k1, k2, k3 := pkiValid(t, "k1", nil), pkiValid(t, "k2", nil), pkiValid(t, "k3", nil)
		update := func(in *iam.UpdateSAMLProviderInput) error {
			in.SAMLProviderArn = aws.String(arn)
			_, err := c.UpdateSAMLProvider(cx, in)
			return err
		}
		if err := update(&iam.UpdateSAMLProviderInput{AddPrivateKey: aws.String(k1.KeyPEM), AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired}); err != nil {
			t.Fatal(err)
		}
		if err := update(&iam.UpdateSAMLProviderInput{AddPrivateKey: aws.String(k2.KeyPEM)}); err != nil {
			t.Fatal(err)
		}
		out := get(t)
		if out.AssertionEncryptionMode != iamtypes.AssertionEncryptionModeTypeRequired || len(out.PrivateKeyList) != 2 {
			t.Fatalf("after adding two keys: %+v", out)
		}
		for _, k := range out.PrivateKeyList {
			if !samlUUIDRE.MatchString(aws.ToString(k.KeyId)) || k.Timestamp == nil {
				t.Errorf("key %+v", k)
			}
		}
		apiErr(t, update(&iam.UpdateSAMLProviderInput{AddPrivateKey: aws.String(k3.KeyPEM)}), "LimitExceeded", "")
		apiErr(t, update(&iam.UpdateSAMLProviderInput{AddPrivateKey: aws.String("garbage")}), "InvalidInput", "private key")
		apiErr(t, update(&iam.UpdateSAMLProviderInput{AddPrivateKey: aws.String(k3.KeyPEM), RemovePrivateKey: out.PrivateKeyList[0].KeyId}), "InvalidInput", "")
		apiErr(t, update(&iam.UpdateSAMLProviderInput{RemovePrivateKey: aws.String("KEYIDTHATDOESNOTEXIST00")}), "InvalidInput", "KEYIDTHATDOESNOTEXIST00")
		if !dataDirContains(t, in.DataDir, "updated-idp.example.com") {
			t.Fatal("control: the stored metadata is not found in the data directory")
		}
		if dataDirContains(t, in.DataDir, strings.Split(k1.KeyPEM, "\n")[1]) {
			t.Error("a private key is stored in the clear")
		}
		if err := update(&iam.UpdateSAMLProviderInput{RemovePrivateKey: out.PrivateKeyList[0].KeyId}); err != nil {
			t.Fatal(err)
		}
		// Encryption required needs a key to decrypt with.
		apiErr(t, update(&iam.UpdateSAMLProviderInput{RemovePrivateKey: out.PrivateKeyList[1].KeyId}), "InvalidInput", "private key")
		if err := update(&iam.UpdateSAMLProviderInput{AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeAllowed, RemovePrivateKey: out.PrivateKeyList[1].KeyId}); err != nil {
			t.Fatal(err)
		}
		if got := get(t); got.AssertionEncryptionMode != iamtypes.AssertionEncryptionModeTypeAllowed || len(got.PrivateKeyList) != 0 {
			t.Errorf("after removing both keys: %+v", got)
		}
	})

	t.Run("tags", func(t *testing.T) {
		if _, err := c.TagSAMLProvider(cx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn), Tags: []iamtypes.Tag{
			{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("identity")},
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UntagSAMLProvider(cx, &iam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListSAMLProviderTags(cx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[team=identity]" {
			t.Errorf("tags %s", got)
		}
		var tags []iamtypes.Tag
		for i := range 50 {
			tags = append(tags, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		_, err = c.TagSAMLProvider(cx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn), Tags: tags})
		apiErr(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
	})

	t.Run("list", func(t *testing.T) {
		out, err := c.ListSAMLProviders(cx, &iam.ListSAMLProvidersInput{})
		if err != nil || len(out.SAMLProviderList) != 1 {
			t.Fatalf("ListSAMLProviders: %+v, %v", out, err)
		}
		e := out.SAMLProviderList[0]
		if aws.ToString(e.Arn) != arn || e.CreateDate == nil || !e.CreateDate.Equal(created) || e.ValidUntil == nil {
			t.Errorf("listed %+v", e)
		}
	})

	t.Run("not found", func(t *testing.T) {
		missing := "arn:aws:iam::" + acct + ":saml-provider/NonExistentProvider"
		_, err := c.GetSAMLProvider(cx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(missing)})
		apiErr(t, err, "NoSuchEntity", "Manifest not found for arn "+missing)
		_, err = c.UpdateSAMLProvider(cx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(missing), SAMLMetadataDocument: aws.String(metadata)})
		apiErr(t, err, "NoSuchEntity", "Manifest not found for arn "+missing)
		_, err = c.DeleteSAMLProvider(cx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(missing)})
		apiErr(t, err, "NoSuchEntity", "Manifest not found for arn "+missing)
		_, err = c.TagSAMLProvider(cx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(missing), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.UntagSAMLProvider(cx, &iam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(missing), TagKeys: []string{"k"}})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.ListSAMLProviderTags(cx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(missing)})
		apiErr(t, err, "NoSuchEntity", "")
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := c.DeleteSAMLProvider(cx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.DeleteSAMLProvider(cx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
		apiErr(t, err, "NoSuchEntity", "Manifest not found for arn "+arn)
		out, err := c.ListSAMLProviders(cx, &iam.ListSAMLProvidersInput{})
		if err != nil || len(out.SAMLProviderList) != 0 {
			t.Fatalf("after delete: %+v, %v", out, err)
		}
	})
}

// TestIdentityProviderQuotas fills an account with 100 OpenID Connect and
// 100 SAML providers, AWS's quota of each.
func TestIdentityProviderQuotas(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	c := in.IAM(creds{ID: "testing", Secret: "testing"})
	cx := ctx(t)
	metadata := idpMetadata("https://idp.example.com", pkiValid(t, "idp.example.com", nil), "signing")
	for i := range 100 {
		if _, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(fmt.Sprintf("https://idp%03d.example.com", i))}); err != nil {
			t.Fatalf("OIDC provider %d: %v", i+1, err)
		}
		if _, err := c.CreateSAMLProvider(cx, &iam.CreateSAMLProviderInput{Name: aws.String(fmt.Sprintf("idp%03d", i)), SAMLMetadataDocument: aws.String(metadata)}); err != nil {
			t.Fatalf("SAML provider %d: %v", i+1, err)
		}
	}
	_, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://one-too-many.example.com")})
	apiErr(t, err, "LimitExceeded", "100")
	_, err = c.CreateSAMLProvider(cx, &iam.CreateSAMLProviderInput{Name: aws.String("one-too-many"), SAMLMetadataDocument: aws.String(metadata)})
	apiErr(t, err, "LimitExceeded", "100")
	oidc, err := c.ListOpenIDConnectProviders(cx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(oidc.OpenIDConnectProviderList) != 100 {
		t.Fatalf("ListOpenIDConnectProviders: %d, %v", len(oidc.OpenIDConnectProviderList), err)
	}
	saml, err := c.ListSAMLProviders(cx, &iam.ListSAMLProvidersInput{})
	if err != nil || len(saml.SAMLProviderList) != 100 {
		t.Fatalf("ListSAMLProviders: %d, %v", len(saml.SAMLProviderList), err)
	}
}
