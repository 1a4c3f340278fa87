package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// FollowUps are the callbacks (回访) managers owe, by manager and due time.
type FollowUps struct{ t *table }

func followUpItem(f *domain.FollowUp) (map[string]types.AttributeValue, error) {
	return marshal(f, map[string]string{attrPK: "FOLLOWUP#" + f.ID, attrSK: "TASK", "type": "follow-up",
		"GSI1PK": "MGRFOLLOWUP#" + f.ManagerID, "GSI1SK": f.DueAt.UTC().Format(time.RFC3339Nano) + "#" + f.ID})
}

// Of lists a manager's follow-ups by due time.
func (r *FollowUps) Of(ctx context.Context, manager string, limit int32, cursor string) (domain.Page[domain.FollowUp], error) {
	return page[domain.FollowUp](ctx, r.t, query{index: "GSI1", pk: "MGRFOLLOWUP#" + manager, limit: limit, cursor: cursor})
}
