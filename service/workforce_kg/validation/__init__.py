"""SHACL validation: reports over files or a store, incremental validation of a change, and validation of uploads."""
