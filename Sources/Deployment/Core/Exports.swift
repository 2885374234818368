@_exported import Timekeeping
