package platform

import (
	"time"

	"keycare/shared/api"
	"keycare/shared/store"
)

// Deps is everything a function is wired from: configuration, clients and
// the clock. In Lambda the clock is time.Now; the local runner moves it.
type Deps struct {
	Config  Config
	Clients Clients
	Now     func() time.Time
}

// Store is the repository on the configured table.
func (d Deps) Store() *store.Store { return store.New(d.Clients.DynamoDB, d.Config.Table) }

// CustomersAPI is the handler of CustomersFunction.
func (d Deps) CustomersAPI() *api.Customers {
	return &api.Customers{Store: d.Store(), Now: d.Now, Settings: d.Config.Settings()}
}
