"""Menus, allergens and diets of the canteen (issue 13): models, services, selectors, views."""
