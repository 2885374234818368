@_exported import AWSSigner
@_exported import Timekeeping
