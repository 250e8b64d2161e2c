"""Create/Get/Update/DeleteDeployment(s): a deployment is the API's routes and integrations
as they were when it was made; a stage serves the one it points to. UpdateDeployment changes
its Description only."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.apigatewayv2 import items
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, not_found


def present_deployment(found: items.Item) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "AutoDeployed": found.config["AutoDeployed"],
        "CreatedDate": found.created_at,
        "DeploymentId": found.item_id,
        "DeploymentStatus": "DEPLOYED",
    }
    if "Description" in found.config:
        answer["Description"] = found.config["Description"]
    return answer


class DeploymentOperations(Base):
    def create_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, stage_name = params["ApiId"], params.get("StageName")
        with self.store.write() as conn:
            self.find_api(conn, ctx, api_id)
            stage = None
            if stage_name:
                stage = items.item(conn, api_id, items.STAGE, stage_name)
                if stage is None:
                    raise not_found("stage", ctx.account_id, api_id, stage_name)
            made = self.deploy(conn, api_id, auto=False, description=params.get("Description"))
            if stage is not None:
                self.point_stage(conn, api_id, stage, made.item_id)
        self.changed(api_id)
        return present_deployment(made)

    def get_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self.find_item(
                conn, ctx, params["ApiId"], items.DEPLOYMENT, params["DeploymentId"]
            )
        return present_deployment(found)

    def get_deployments(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_api(conn, ctx, params["ApiId"])
            found = items.all_items(conn, params["ApiId"], items.DEPLOYMENT)
        return page(found, params, present_deployment)

    def update_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Its Description only: what a deployment serves does not change."""
        api_id, deployment_id = params["ApiId"], params["DeploymentId"]
        with self.store.write() as conn:
            found = self.find_item(conn, ctx, api_id, items.DEPLOYMENT, deployment_id)
            config = dict(found.config)
            if "Description" in params:
                config["Description"] = params["Description"]
            items.update_item(conn, api_id, items.DEPLOYMENT, deployment_id, config)
        return present_deployment(items.Item(deployment_id, config, found.created_at))

    def delete_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, deployment_id = params["ApiId"], params["DeploymentId"]
        with self.store.write() as conn:
            self.find_item(conn, ctx, api_id, items.DEPLOYMENT, deployment_id)
            for stage in items.all_items(conn, api_id, items.STAGE):
                if stage.config.get("DeploymentId") == deployment_id:
                    raise bad_request(
                        "Active stages pointing to this deployment must be moved or deleted"
                    )
            items.delete_item(conn, api_id, items.DEPLOYMENT, deployment_id)
        return {}
