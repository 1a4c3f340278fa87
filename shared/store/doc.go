// Package store is keycare's DynamoDB repository: the only package that
// builds DynamoDB requests. It uses one table (single-table design) whose keys,
// GSIs and TTL attribute are declared in template.yaml.
//
// Keys (every access pattern is a GetItem or a Query; no Scan anywhere):
//
//	item              PK                      SK                 GSI1 (PK / SK)              GSI2                    GSI3                   GSI4
//	customer          CUST#<id>               PROFILE            MGR#<manager> / CUST#<id>   TIER#<tier> / CUST#<id> DEPT#<dept> / CUST#<id> CUSTOMERS / CUST#<id>
//	audit entry       AUDIT#<entity>#<id>     <at>#<request>#<n> ACTOR#<sub> / <at>#...
//	setting           SETTINGS                <name>
//
// Access patterns:
//
//	customer by id                 GetItem  PK=CUST#id, SK=PROFILE
//	customers by manager           Query    GSI1 PK=MGR#m
//	customers by tier              Query    GSI2 PK=TIER#t
//	customers of a department      Query    GSI3 PK=DEPT#d
//	all customers (executive)      Query    GSI4 PK=CUSTOMERS
//	audit trail of an entity       Query    PK=AUDIT#entity#id (newest first)
//	audit trail of an actor        Query    GSI1 PK=ACTOR#sub (newest first)
package store
