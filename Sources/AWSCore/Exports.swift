@_exported import AWSSigner
