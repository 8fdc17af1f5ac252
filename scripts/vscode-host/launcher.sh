#!/bin/sh
# The "VS Code executable" for @vscode/test-electron's runTests (vscodeExecutablePath):
# runs the code-server based launcher next to this script with the Node running the tests.
exec node "$(dirname "$0")/launcher.mjs" "$@"
