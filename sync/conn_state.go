package sync

import "github.com/cubechat/cubechat/cube"

// ConnState is the connection state the engine reports in Status: one of the chat
// connection's states (named as in the ConnectyCube SDKs), or StateOffline when the
// engine has no connection and is not trying one through the chat's own reconnection.
type ConnState string

// The states of Status.State.
const (
	StateIdle                  ConnState = "Idle"
	StateAuthenticated         ConnState = "Authenticated"
	StateAuthenticationFailure ConnState = "AuthenticationFailure"
	StateReconnecting          ConnState = "Reconnecting"
	StateResumed               ConnState = "Resumed"
	StateReady                 ConnState = "Ready"
	StateForceClosed           ConnState = "ForceClosed"
	StateClosed                ConnState = "Closed"
	StateOffline               ConnState = "Offline"
)

// connStateOf names a chat connection state as the engine reports it.
func connStateOf(s cube.ConnState) ConnState { return ConnState(s.String()) }
