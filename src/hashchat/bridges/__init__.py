"""Live connectors to other networks (issue 11): each network's client code, and the secrets
they need, encrypted at rest. Bridges read and post over the network; everything they read
enters a chat through the ingest door (`actions.ingest`), everything they decide goes through
`actions.bridges`."""
