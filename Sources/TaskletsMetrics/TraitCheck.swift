#if !Metrics
#error("""
    TaskletsMetrics needs the package trait "Metrics" of swift-tasklets (on by default): \
    .package(url: ..., from: ..., traits: ["Metrics"])
    """)
#endif
