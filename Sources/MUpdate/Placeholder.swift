public enum MUpdateWire {}
