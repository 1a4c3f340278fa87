// Command customers is CustomersFunction: the key-account file routes.
package main

import "keycare/shared/platform"

func main() { platform.Start("CustomersFunction") }
