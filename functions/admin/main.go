// Command admin is AdminFunction: the settings and the staff directory.
package main

import "keycare/shared/platform"

func main() { platform.Start("AdminFunction") }
