"""The GitHub side: REST client, event reading, publishers and the action entry point."""
