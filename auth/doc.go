// Package auth decides who may connect. It is a leaf: the wire server asks
// it whether a user may log in from an address, and (when password methods
// arrive) runs the exchange through the small Conn interface it defines,
// so no authentication code touches sockets.
package auth
