//! RingCentral webhook receiver that forwards telephony events to the server over gRPC
