/// Remembers load balancer ARNs by name between runs, so that a read can ask for the listeners at once instead of
/// first looking the load balancer up. An ARN never changes for the life of a load balancer and names its load
/// balancer (`…:loadbalancer/app/NAME/ID`); a remembered one that no longer answers is forgotten and looked up again.
public protocol LoadBalancerArnCache: Sendable {
    func arn(forName name: String) -> String?
    func remember(arn: String, forName name: String)
    func forget(name: String)
}
