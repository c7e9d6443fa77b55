// Command layan runs the Layan help desk. See "layan help".
package main

import (
	"os"

	"layan/internal/app"
	_ "layan/internal/bench" // registers "layan bench"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
