package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/store"
)

func TestSessionsLifeCycle(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table).Sessions()
	now := time.Date(2027, 1, 11, 1, 0, 0, 0, time.UTC)
	key := strings.Repeat("ab", 32)
	s := domain.NewSession(key, "csrf-token", domain.Principal{Sub: "alice", Roles: []domain.Role{domain.RoleManager}, Department: "sales"}, "en", domain.SignInLocal, now)
	ends := s.ExpiresAt(domain.DefaultSessionSettings())
	if err := st.Create(ctx, s, ends); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, s, ends); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("the same key twice: %v", err)
	}
	// The item is keyed by the hash, carries the TTL, and holds no cookie id.
	out, err := env.AWS.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(env.Resources.Table),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "SESSION#" + key}, "SK": &types.AttributeValueMemberS{Value: "SESSION"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("raw item: %v", err)
	}
	if ttl, ok := out.Item["expiresAt"].(*types.AttributeValueMemberN); !ok || ttl.Value != strconv.FormatInt(ends.Unix(), 10) || !ends.Equal(now.Add(8*time.Hour)) {
		t.Fatalf("TTL %v, want the idle end %d", out.Item["expiresAt"], ends.Unix())
	}
	got, err := st.Get(ctx, key)
	if err != nil || got.Sub != "alice" || got.CSRF != "csrf-token" || got.Lang != "en" || !got.CreatedAt.Equal(now) {
		t.Fatalf("get: %+v %v", got, err)
	}
	later := now.Add(time.Hour)
	if err := st.Touch(ctx, key, later, later.Add(8*time.Hour), "zh"); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Get(ctx, key)
	if !got.SeenAt.Equal(later) || got.Lang != "zh" {
		t.Fatalf("after touch: %+v", got)
	}
	if _, err := st.Get(ctx, "SESSION#x"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a malformed key: %v", err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, key); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := st.Touch(ctx, key, later, later, ""); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("touching a deleted session recreates it: %v", err)
	}
}
