//! Leifeng: the software that runs a district's 学雷锋志愿服务进社区 volunteer campaign.

pub mod app;
pub mod auth;
pub mod cli;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod excel;
pub mod features;
pub mod i18n;
pub mod openapi;
pub mod state;
pub mod web;
