// Command complaints is ComplaintsFunction: staff entry, lists, the record
// card and one route per workflow step.
package main

import "keycare/shared/platform"

func main() { platform.Start("ComplaintsFunction") }
