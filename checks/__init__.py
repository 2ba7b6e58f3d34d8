"""The claim registry and the property-based checks that simulation matches theory."""
