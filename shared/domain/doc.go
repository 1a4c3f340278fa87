// Package domain holds keycare's business rules as pure Go: the key-account
// file (tiers, value score, confidentiality), the complaint record card and its
// workflow, the SLA clock, and the settings that tune them. It imports no AWS
// package and nothing else of keycare, so every rule of domain.md can be found
// and unit-tested here.
//
// Where each rule lives:
//
//	roles.go      who may do what (客户经理, 主管, 总经理, 受理部门, admin)
//	customer.go   the key-account file (大客户档案) and its validation
//	tier.go       tier from revenue share (分级) and manual override
//	score.go      value score (客户价值评分) with its breakdown
//	access.go     confidentiality: who sees which file, masking of contacts
//	settings.go   the defaults an admin may change
//	errors.go     validation and conflict errors shared by every rule
package domain
