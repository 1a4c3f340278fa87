// Command public-complaints is PublicComplaintsFunction: the public web
// form, submissions and tracking (no login).
package main

import "keycare/shared/platform"

func main() { platform.Start("PublicComplaintsFunction") }
